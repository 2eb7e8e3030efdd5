import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  isAtLeast,
  MIN_NODE_VERSION,
  nodeVersionProblem,
  parseNodeVersion,
} from "../../runtime/node-version";

const ROOT = resolve(__dirname, "..", "..", "..");
const readJson = (path: string) =>
  JSON.parse(readFileSync(path, "utf8")) as {
    version: string;
    engines?: { node?: string };
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };

/** The version a `>=X`, `>=X.Y` or `>=X.Y.Z` range starts at; any other form fails the test that meets it. */
function lowerBound(range: string): [number, number, number] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`engines.node ${JSON.stringify(range)}: not a >= range this test can compare`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

describe("Node.js version guard", () => {
  it("reads major.minor.patch with or without the v, ignoring a pre-release or build suffix", () => {
    assert.deepEqual(parseNodeVersion("v22.19.0"), [22, 19, 0]);
    assert.deepEqual(parseNodeVersion("20.20.2"), [20, 20, 2]);
    assert.deepEqual(parseNodeVersion("v23.0.0-nightly20250101abcdef"), [23, 0, 0]);
    assert.equal(parseNodeVersion("22"), undefined);
    assert.equal(parseNodeVersion("not a version"), undefined);
  });

  it("compares numerically, major then minor then patch (22.9 is older than 22.19)", () => {
    const min: [number, number, number] = [22, 19, 0];
    for (const older of ["22.18.99", "22.9.0", "22.1.90", "21.99.99", "20.20.2", "0.0.0"])
      assert.equal(isAtLeast(parseNodeVersion(older)!, min), false, older);
    for (const newer of ["22.19.0", "22.19.1", "22.20.0", "22.100.0", "23.0.0", "100.0.0"])
      assert.equal(isAtLeast(parseNodeVersion(newer)!, min), true, newer);
  });

  it("names the version it needs, the version found, the dependency that needs it and how to get it", () => {
    const message = nodeVersionProblem("v22.18.0");
    assert.ok(message);
    assert.match(message, /^pulumi-alicloud-cas needs Node >= 22\.19\.0 \(found 22\.18\.0\): /);
    assert.match(message, /undici 8/);
    assert.match(message, /Install Node 22\.19 or later/);
    assert.match(message, /first `node` on PATH/);
    assert.match(nodeVersionProblem("20.20.2")!, /\(found 20\.20\.2\)/);
  });

  it("lets the minimum and everything newer through, and a version it cannot read", () => {
    assert.equal(nodeVersionProblem(MIN_NODE_VERSION), undefined);
    assert.equal(nodeVersionProblem("v22.19.1"), undefined);
    assert.equal(nodeVersionProblem("v24.0.0"), undefined);
    assert.equal(nodeVersionProblem("unknown"), undefined);
  });

  it("its minimum is package.json's engines.node and undici's, and no runtime dependency needs more", () => {
    const pkg = readJson(join(ROOT, "package.json"));
    const min = parseNodeVersion(MIN_NODE_VERSION)!;
    assert.deepEqual(lowerBound(pkg.engines?.node ?? ""), min, "engines.node");
    assert.deepEqual(
      lowerBound(readJson(join(ROOT, "node_modules", "undici", "package.json")).engines?.node ?? ""),
      min,
      "undici's engines.node: the guard's message names undici as the reason",
    );
    const required = [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}).filter((d) => !pkg.peerDependenciesMeta?.[d]?.optional),
    ];
    assert.ok(required.includes("@pulumi/pulumi"));
    for (const dep of required) {
      const range = readJson(join(ROOT, "node_modules", dep, "package.json")).engines?.node;
      if (range) assert.ok(isAtLeast(min, lowerBound(range)), `${dep} needs Node ${range}`);
    }
  });
});
