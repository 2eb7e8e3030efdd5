import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve, sep } from "node:path";
import { promisify } from "node:util";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

const ROOT = resolve(__dirname, "..", "..", "..");
const DIST = resolve(ROOT, "dist") + sep;

/**
 * Runs the providers' first calls as the serialized stubs make them (`require("pulumi-alicloud-cas").o`)
 * in a fresh Node process, and answers the check's result and every file that process loaded.
 */
async function firstCheck(
  config: Record<string, string>,
  inputs: Record<string, unknown>,
): Promise<{ failures: unknown[]; loaded: string[] }> {
  const script = `
const { o } = require("pulumi-alicloud-cas");
const config = ${JSON.stringify(config)};
o.configure({ config: { get: (k) => config[k] }, log: () => {} })
  .then(() => o.check({}, ${JSON.stringify(inputs)}))
  .then((r) => {
    console.log(JSON.stringify({ failures: r.failures, loaded: Object.keys(require.cache) }));
    process.exit(0);
  });
`;
  // Asynchronously: the emulator that answers it runs in this process.
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { cwd: ROOT });
  return JSON.parse(stdout) as { failures: unknown[]; loaded: string[] };
}

const order = { domain: "cold.example.com", username: "u", phone: "13800001111", email: "a@example.com" };
const inNodeModules = (loaded: string[], pkg: string) =>
  loaded.filter((f) => f.includes(`${sep}node_modules${sep}${pkg}${sep}`));

describe("the provider host's bundle (provider/hosted.ts through the package root)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu?.close());
  const config = () => ({
    "alicloud:accessKey": emu.accessKeyId,
    "alicloud:secretKey": emu.accessKeySecret,
    "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint }]),
  });

  it("answers a first check without an API call from the bundle alone: no API client, undici, zod, x509 or Public Suffix List", async () => {
    const { failures, loaded } = await firstCheck(config(), { ...order, quotaCheck: "off" });
    assert.deepEqual(failures, []);
    assert.ok(loaded.includes(`${DIST}provider${sep}hosted.bundle.js`));
    for (const pkg of ["undici", "zod", "@peculiar", "reflect-metadata", "tldts"])
      assert.deepEqual(inNodeModules(loaded, pkg), [], pkg);
    // The provider's modules come from the bundle; only the SDK's own imports are loaded beside it.
    const providerFiles = loaded
      .filter((f) => f.startsWith(`${DIST}provider${sep}`))
      .map((f) => f.slice(DIST.length));
    assert.deepEqual(
      providerFiles.sort(),
      [
        // ManagedCertificate's composition, which the SDK shares with the plugin (knownNames).
        ["provider", "components", "managed-certificate.js"],
        ["provider", "hosted.bundle.js"],
        ["provider", "order", "object-keys.js"],
        ["provider", "order", "output-names.js"],
        ["provider", "order", "record-name.js"],
        ["provider", "pki", "csr.js"],
        ["provider", "pki", "x509.js"],
      ].map((p) => p.join(sep)),
    );
  });

  it("loads undici's pool and request for the first API call (the plan look-up), not all of undici", async () => {
    const { failures, loaded } = await firstCheck(config(), order);
    assert.deepEqual(failures, []);
    const undici = inNodeModules(loaded, "undici").map((f) => f.split(`${sep}undici${sep}`)[1]);
    assert.ok(undici.includes(["lib", "dispatcher", "pool.js"].join(sep)), undici.join(", "));
    assert.ok(undici.includes(["lib", "api", "api-request.js"].join(sep)), undici.join(", "));
    assert.ok(!undici.includes("index.js"), "undici's index is not loaded");
    assert.deepEqual(inNodeModules(loaded, "zod"), []);
  });
});
