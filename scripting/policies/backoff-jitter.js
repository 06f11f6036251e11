// backoff-jitter: restart a failed container after an exponentially growing, jittered delay.
//
// Hooks: onExit and onStartFailure.
//   - A clean exit (code 0) is left to the container's Docker restart policy: {action: "default"}.
//   - Otherwise restart after a delay drawn uniformly from [ceiling / 2, ceiling], where
//       ceiling = min(BASE_MS * 2^n, MAX_MS)
//     and n is ctx.restartCount, or 0 when the run that just ended lasted at least RESET_AFTER_MS
//     (a container that ran for a while starts its backoff over). Half the delay is fixed, so
//     restarts never bunch up near zero; half is random, so containers that fail together do not
//     restart in lockstep.
//
// Labels (optional) override the constants, in milliseconds:
//   berth.backoff.base-ms, berth.backoff.max-ms, berth.backoff.reset-after-ms
//
// Example: docker run --label berth.policy=backoff-jitter --label berth.backoff.max-ms=30000 ...

const BASE_MS = 200;
const MAX_MS = 60000;
const RESET_AFTER_MS = 10000;

function setting(ctx, label, fallback) {
  const value = Number(ctx.labels[label]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function backoff(ctx) {
  const base = setting(ctx, 'berth.backoff.base-ms', BASE_MS);
  const max = setting(ctx, 'berth.backoff.max-ms', MAX_MS);
  const resetAfter = setting(ctx, 'berth.backoff.reset-after-ms', RESET_AFTER_MS);
  const ran = ctx.startedAt > 0 && ctx.finishedAt >= ctx.startedAt ? ctx.finishedAt - ctx.startedAt : 0;
  const n = ran >= resetAfter ? 0 : Math.min(ctx.restartCount, 40);
  const ceiling = Math.min(base * Math.pow(2, n), max);
  const delayMs = Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
  return {action: 'restart', delayMs};
}

function onExit(ctx) {
  if (ctx.exitCode === 0) {
    return {action: 'default'};
  }
  return backoff(ctx);
}

function onStartFailure(ctx) {
  return backoff(ctx);
}
