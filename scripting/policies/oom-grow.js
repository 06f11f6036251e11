// oom-grow: after an OOM kill, restart the container with 50% more memory, up to a cap.
//
// Hook: onOom (ctx.oomKilled is true; ctx.memoryLimit is the limit that was hit, in bytes, 0 if none).
//   - No memory limit: nothing to grow: {action: "default"}.
//   - Below the cap: {action: "restart", delayMs: RESTART_DELAY_MS, memory: M} with
//       M = min(limit * 1.5 rounded up to a whole MiB, cap).
//     The daemon sets the new limit before the restart (and caps it by its own maximum).
//   - At the cap already: {action: "default"}: the Docker restart policy decides, without growth.
//
// Label (optional): berth.oom-grow.max-bytes, the cap in bytes (default 4 GiB).
//
// Example: docker run -m 256m --restart on-failure --label berth.policy=oom-grow ...

const MIB = 1024 * 1024;
const MAX_BYTES = 4096 * MIB;
const GROWTH = 1.5;
const RESTART_DELAY_MS = 1000;

function onOom(ctx) {
  const label = Number(ctx.labels['berth.oom-grow.max-bytes']);
  const cap = Number.isSafeInteger(label) && label > 0 ? label : MAX_BYTES;
  const limit = ctx.memoryLimit;
  if (!(limit > 0) || limit >= cap) {
    return {action: 'default'};
  }
  const memory = Math.min(Math.ceil(limit * GROWTH / MIB) * MIB, cap);
  return {action: 'restart', delayMs: RESTART_DELAY_MS, memory};
}
