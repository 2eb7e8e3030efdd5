import assert from "node:assert/strict";
import { conceal, reveal, secretKeys } from "../../provider/plugin/secrets";

const SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

describe("the plugin's secret values (provider/plugin/secrets.ts)", () => {
  it("reveals secrets at any depth for the controllers, and finds the top-level keys that held them", () => {
    const props = { csr: "x", tags: { team: secret("a") }, list: [secret(1)], plain: 2 };
    assert.deepEqual(reveal(props), { csr: "x", tags: { team: "a" }, list: [1], plain: 2 });
    assert.deepEqual([...secretKeys(props)].sort(), ["list", "tags"]);
  });

  it("marks the named outputs secret, leaving null and absent ones and secrets already marked", () => {
    const outs = conceal({ privateKeyPem: "k", certificatePem: null, tags: secret({ a: "b" }) }, [
      "privateKeyPem",
      "certificatePem",
      "tags",
      "missing",
    ]);
    assert.deepEqual(outs, { privateKeyPem: secret("k"), certificatePem: null, tags: secret({ a: "b" }) });
  });
});
