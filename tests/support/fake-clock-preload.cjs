// Preloaded into a provider process that a test does not run itself (Pulumi's dynamic-provider
// host), with NODE_OPTIONS=--require <this file> (see FAKE_CLOCK in provider-host.ts): the
// provider's clock (provider/order/context.ts, CLOCK_HOOK) starts at the real time and moves on
// only when the provider sleeps, by the time it sleeps, so its waits, backoffs and deadlines run
// without waiting. Only for tests whose CAS moves on by control calls, not by the real time.
"use strict";
/* global setImmediate */
let slept = 0;
globalThis[Symbol.for("pulumi-alicloud-cas.clock")] = {
  now: () => Date.now() + slept,
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal && signal.aborted) return reject(signal.reason);
      slept += Math.max(0, ms);
      // A turn of the event loop: what the provider does between two waits still happens in order.
      setImmediate(resolve);
    }),
};
