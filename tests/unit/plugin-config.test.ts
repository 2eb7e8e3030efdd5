import assert from "node:assert/strict";
import { configureRequest, dynamicKey } from "../../provider/plugin/config";
import { Settings } from "../../provider/order/settings";
import { pluginProvider, pluginWording } from "../../provider/plugin/plugin";

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
});
