// flapping: stop a container that keeps dying, after MAX_EXITS exits within WINDOW_S seconds.
//
// Hook: onExit.
//   Counts the `die` entries of ctx.history within WINDOW_S seconds before the exit being decided
//   (ctx.finishedAt); the history ends with that exit, so it counts too.
//   - MAX_EXITS or more: {action: "stop"}. The container stays exited; `docker start` brings it
//     back, and if it dies again while the earlier exits are still in the window it is stopped again.
//   - Fewer: {action: "default"}: the container's Docker restart policy decides, with its own backoff.
//
// Labels (optional): berth.flapping.max-exits (default 5), berth.flapping.window-s (default 60).
//
// Example: docker run --restart always --label berth.policy=flapping --label berth.flapping.max-exits=3 ...

const MAX_EXITS = 5;
const WINDOW_S = 60;

function setting(ctx, label, fallback) {
  const value = Number(ctx.labels[label]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function onExit(ctx) {
  const maxExits = setting(ctx, 'berth.flapping.max-exits', MAX_EXITS);
  const windowMs = setting(ctx, 'berth.flapping.window-s', WINDOW_S) * 1000;
  const since = ctx.finishedAt - windowMs;
  const exits = ctx.history.filter(t => t.action === 'die' && t.time > since && t.time <= ctx.finishedAt).length;
  return exits >= maxExits ? {action: 'stop'} : {action: 'default'};
}
