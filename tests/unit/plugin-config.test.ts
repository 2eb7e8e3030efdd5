import assert from "node:assert/strict";
import { configureRequest, dynamicKey } from "../../provider/plugin/config";
import { Settings } from "../../provider/order/settings";
import { UNKNOWN } from "../../provider/order/inputs";
import {
  checkProviderConfig,
  diffProviderConfig,
  pluginProvider,
  pluginWording,
} from "../../provider/plugin/plugin";

describe("the plugin's configuration (provider/plugin/config.ts)", () => {
  it("reads alicloudcas: keys under the dynamic provider's alicloud: and alicloud-cas: names", () => {
    assert.equal(dynamicKey("region"), "alicloud:region");
    assert.equal(dynamicKey("secretKey"), "alicloud:secretKey");
    assert.equal(dynamicKey("qps"), "alicloud-cas:qps");
    const req = configureRequest(
      { "alicloudcas:accessKey": "LTAIa", "alicloudcas:qps": "3", "aws:region": "us-east-1" },
      { secretKey: "s", endpoints: [{ cas: "http://127.0.0.1:1" }], version: "0.2.0" },
    );
    assert.equal(req.config.get("alicloud:accessKey"), "LTAIa");
    assert.equal(req.config.get("alicloud:secretKey"), "s");
    assert.equal(req.config.get("alicloud-cas:qps"), "3");
    assert.equal(req.config.get("alicloud:endpoints"), '[{"cas":"http://127.0.0.1:1"}]');
    assert.equal(req.config.get("alicloud-cas:version"), undefined);
    assert.deepEqual(Object.keys(req.rawConfig).sort(), [
      "alicloud-cas:qps",
      "alicloud:accessKey",
      "alicloud:endpoints",
      "alicloud:secretKey",
    ]);
  });

  it("a mistyped key fails every check naming it, as a mistyped alicloud-cas: key does", () => {
    const req = configureRequest({ "alicloudcas:qpss": "3" }, {});
    // As configure builds them (context.ts `renew`): from the request's config.
    const settings = new Settings((k) => req.config.get(k), req.config);
    assert.match(
      pluginWording(settings.failure()?.reason ?? ""),
      /alicloudcas:qpss is not a setting of this provider; did you mean alicloudcas:qps\?/,
    );
  });

  it("words config keys in the plugin's names, never the claim tag that names the provider", () => {
    assert.equal(
      pluginWording("set alicloud:region or alicloud-cas:qps; the tag pulumi-alicloud-cas:claim is empty"),
      "set alicloudcas:region or alicloudcas:qps; the tag pulumi-alicloud-cas:claim is empty",
    );
  });

  it("the provider's log lines name the plugin's keys too", async () => {
    const lines: string[] = [];
    const plugin = pluginProvider({ version: "0.0.0", schema: () => "{}" });
    await plugin.configure({}, {}, (line) => lines.push(line));
    plugin.context().log("quota check skipped: set alicloud:accessKey and alicloud:secretKey");
    assert.deepEqual(lines, [
      "[alicloud-cas] quota check skipped: set alicloudcas:accessKey and alicloudcas:secretKey",
    ]);
  });

  it("CheckConfig leaves a value not known yet (a preview) unchecked and unmarked, and reads the older config: form", () => {
    const checked = checkProviderConfig({ proxy: UNKNOWN, "config:qps": "3", region: "cn-hangzhou" });
    assert.deepEqual(checked, {
      inputs: { proxy: UNKNOWN, "config:qps": "3", region: "cn-hangzhou" },
      failures: [],
    });
    const bad = checkProviderConfig({ "config:qps": "0", version: "0.2.0" });
    assert.equal(bad.failures.length, 1);
    assert.match(bad.failures[0]!.reason, /^\[InvalidConfig\] alicloudcas:qps: "0" is not a positive number/);
  });

  it("DiffConfig: a value not known yet is a change; the same value in another key order or marked secret is none", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "LTAIa" };
    assert.deepEqual(diffProviderConfig({ region: "cn-hangzhou" }, { region: UNKNOWN }, []), {
      changes: true,
      diffs: ["region"],
    });
    assert.deepEqual(
      diffProviderConfig(
        { accessKey: "LTAIa", assumeRole: { roleArn: "a", externalId: "b" } },
        { accessKey: secret, assumeRole: { externalId: "b", roleArn: "a" } },
        [],
      ),
      { changes: false, diffs: [] },
    );
  });
});
