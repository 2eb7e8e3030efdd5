// A root hook for every suite (unit, integration, e2e): a promise rejected with nobody to handle it fails
// the run (mocha alone reports it nowhere and exits 0). The rejection is recorded and reported by the
// hook after the test it happened in (or after a file's last test), so the test's own outcome stays
// intact. Installed before each file, because a parallel worker removes such listeners between files.
// A Set: mocha passes some rejections on a second time.
const unhandled = new Set();
// Rejections a test expects to go unhandled (tests/support/expected-rejections.ts), by message.
const EXPECTED = Symbol.for("pulumi-alicloud-cas.expectedRejections");
process[EXPECTED] = process[EXPECTED] ?? [];
const record = (reason) => {
  const message = String(reason?.message ?? reason);
  if (!process[EXPECTED].some((pattern) => pattern.test(message))) unhandled.add(reason);
};

function check() {
  process[EXPECTED].length = 0;
  if (unhandled.size === 0) return;
  const [first, ...rest] = unhandled;
  unhandled.clear();
  const more = rest.length ? ` (and ${rest.length} more)` : "";
  throw new Error(`a promise was rejected and nobody handled it${more}: ${first?.stack ?? String(first)}`);
}

exports.mochaHooks = {
  beforeAll() {
    if (!process.listeners("unhandledRejection").includes(record)) process.on("unhandledRejection", record);
  },
  afterEach: check,
  afterAll: check,
};
