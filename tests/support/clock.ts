// The fake clocks of the tests: the code under test takes a clock (now, random, sleep), so retry,
// pacing, waiting and renewal are tested exactly and without waiting in real time.

/** Where fake time starts unless a test says otherwise. */
const START = Date.parse("2026-01-01T00:00:00Z");

/**
 * A clock whose sleeps return at once and move virtual time; every delay is recorded. `advance`
 * moves time without a sleep.
 */
export function fakeClock(random = 0.5, start = START) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    random: () => random,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/**
 * A clock whose time moves only from one pending sleep to the next, once the callers that can run
 * have run (checked on `setImmediate`): concurrent sleepers wake in the order of their deadlines,
 * and no real time passes. `advance` adds idle time without waking anyone early.
 */
export function virtualClock(random = 0.5) {
  let t = START;
  const timers: Array<{ at: number; wake: () => void }> = [];
  let scheduled = false;
  const step = () => {
    scheduled = false;
    if (timers.length === 0) return;
    timers.sort((a, b) => a.at - b.at);
    t = Math.max(t, timers[0]!.at);
    while (timers.length > 0 && timers[0]!.at <= t) timers.shift()!.wake();
    schedule();
  };
  const schedule = () => {
    if (scheduled || timers.length === 0) return;
    scheduled = true;
    setImmediate(step);
  };
  return {
    now: () => t,
    random: () => random,
    advance: (ms: number) => void (t += ms),
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        timers.push({ at: t + ms, wake: resolve });
        schedule();
      }),
  };
}
