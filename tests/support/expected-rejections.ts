/**
 * Lets the current test expect rejections that nobody handles (tests/support/strict-rejections.cjs
 * fails a test on any other): those whose message matches `pattern`, until the test ends. For code
 * under Pulumi's mocks, whose outputs leave a failed apply's rejection to the Pulumi runtime.
 */
export function expectUnhandledRejections(pattern: RegExp): void {
  const key = Symbol.for("pulumi-alicloud-cas.expectedRejections");
  const holder = process as unknown as Record<symbol, RegExp[] | undefined>;
  (holder[key] ??= []).push(pattern);
}
