// maintenance-window: let a container come back by itself only inside a daily window (UTC).
//
// Hooks: onExit and onStartFailure.
//   The window is the label berth.window, "HH-HH" in whole UTC hours, start included, end excluded;
//   "22-02" wraps past midnight. Without the label it is WINDOW (02-04). The time judged is the exit's
//   (ctx.finishedAt), so the same exit always gives the same decision; Date.now() only if unknown.
//   - Inside the window: restart after RESTART_DELAY_MS.
//   - Outside: {action: "stop"}: the container stays exited until someone starts it. ("default"
//     would let an always/unless-stopped restart policy bring it back at once, which is what this
//     policy is there to prevent.)
//   A malformed label makes the hook throw: the daemon then falls back to the Docker restart policy
//   and journals a policy failure that names the label.
//
// Example: docker run --restart always --label berth.policy=maintenance-window --label berth.window=01-05 ...

const WINDOW = '02-04';
const RESTART_DELAY_MS = 1000;

function window(ctx) {
  const text = ctx.labels['berth.window'] || WINDOW;
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 24) {
    throw new Error('label berth.window must be "HH-HH" in UTC hours, not "' + text + '"');
  }
  return {from: Number(m[1]), to: Number(m[2])};
}

function inside(hour, w) {
  return w.from <= w.to ? hour >= w.from && hour < w.to : hour >= w.from || hour < w.to;
}

function decide(ctx) {
  const at = ctx.finishedAt > 0 ? ctx.finishedAt : Date.now();
  const hour = new Date(at).getUTCHours();
  return inside(hour, window(ctx)) ? {action: 'restart', delayMs: RESTART_DELAY_MS} : {action: 'stop'};
}

function onExit(ctx) {
  return decide(ctx);
}

function onStartFailure(ctx) {
  return decide(ctx);
}
