/**
 * `pulumi-resource-emulatordns`: a provider plugin for tests of programs in other languages (YAML)
 * that publishes DNS records to the emulator's DNS (its control route `dns-records`), as
 * `alicloud.dns.AlidnsRecord` publishes them to Alibaba Cloud DNS; the alicloud plugin cannot be
 * installed offline. The emulator's DNS has no route that removes a record, so delete only forgets
 * the resource (the records go with the emulator).
 */
import * as provider from "@pulumi/pulumi/provider";

const TOKEN = "emulatordns:index:Record";
const props = {
  controlUrl: { type: "string", description: "The emulator's control URL (`<endpoint>/_emulator`)." },
  name: { type: "string", description: "Fully qualified record name." },
  type: { type: "string", description: "`TXT` or `CNAME`." },
  value: { type: "string" },
};
const schema = JSON.stringify({
  name: "emulatordns",
  version: "0.0.1",
  resources: {
    [TOKEN]: {
      inputProperties: props,
      requiredInputs: Object.keys(props),
      properties: props,
      required: Object.keys(props),
    },
  },
});

const served: provider.Provider = {
  version: "0.0.1",
  schema,
  async create(urn, inputs: { controlUrl: string; name: string; type: string; value: string }) {
    const res = await fetch(`${inputs.controlUrl}/dns-records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: inputs.name, type: inputs.type, value: inputs.value }),
    });
    if (!res.ok)
      throw new Error(`publishing ${inputs.name} (${urn}): HTTP ${res.status} ${await res.text()}`);
    return { id: `${inputs.name}|${inputs.value}`, outs: inputs };
  },
  async diff(_id, _urn, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const changed = Object.keys(props).filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: changed };
  },
  async delete() {},
};

void provider.main(served, process.argv.slice(2));
