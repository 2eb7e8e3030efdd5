/**
 * `pulumi-resource-emulatordns`: a provider plugin for tests of programs in other languages (YAML)
 * that publishes DNS records to the emulator's DNS (its control route `dns-records`), as
 * `alicloud.dns.AlidnsRecord` publishes them to Alibaba Cloud DNS; the alicloud plugin cannot be
 * installed offline. The emulator's DNS has no route that removes a record, so delete only forgets
 * the resource (the records go with the emulator).
 *
 * `emulatordns:index:Record` takes the record's name and the control URL; `emulatordns:index:AlidnsRecord`
 * takes `alicloud.dns.AlidnsRecord`'s inputs (`domainName`, `rr`, `type`, `value`, `ttl`), as a
 * ManagedCertificate's `dnsRecordType` makes them, and the control URL from the environment
 * (`EMULATOR_DNS_CONTROL_URL`, which the engine passes on to the plugin).
 */
import * as provider from "@pulumi/pulumi/provider";

const TOKEN = "emulatordns:index:Record";
const ALIDNS_TOKEN = "emulatordns:index:AlidnsRecord";
const alidnsProps = {
  domainName: { type: "string", description: "The zone." },
  rr: { type: "string", description: "Host record relative to the zone (`@` at the apex)." },
  type: { type: "string", description: "`TXT` or `CNAME`." },
  value: { type: "string" },
  ttl: { type: "integer" },
};
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
    [ALIDNS_TOKEN]: {
      inputProperties: alidnsProps,
      requiredInputs: ["domainName", "rr", "type", "value"],
      properties: alidnsProps,
      required: ["domainName", "rr", "type", "value"],
    },
  },
});

/** Publishes one record to the emulator's DNS through its control API. */
async function publish(
  controlUrl: string,
  urn: string,
  record: { name: string; type: string; value: string },
) {
  const res = await fetch(`${controlUrl}/dns-records`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(record),
  });
  if (!res.ok) throw new Error(`publishing ${record.name} (${urn}): HTTP ${res.status} ${await res.text()}`);
}

type Inputs = Record<string, string>;

const served: provider.Provider = {
  version: "0.0.1",
  schema,
  async create(urn, inputs: Inputs) {
    if ((urn.split("::")[2] ?? "").split("$").at(-1) === ALIDNS_TOKEN) {
      const controlUrl = process.env.EMULATOR_DNS_CONTROL_URL;
      if (!controlUrl) throw new Error(`${urn}: set EMULATOR_DNS_CONTROL_URL to the emulator's control URL`);
      const name = inputs.rr === "@" ? inputs.domainName! : `${inputs.rr}.${inputs.domainName}`;
      await publish(controlUrl, urn, { name, type: inputs.type!, value: inputs.value! });
      return { id: `${name}|${inputs.value}`, outs: inputs };
    }
    await publish(inputs.controlUrl!, urn, { name: inputs.name!, type: inputs.type!, value: inputs.value! });
    return { id: `${inputs.name}|${inputs.value}`, outs: inputs };
  },
  async diff(_id, _urn, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
      (k) => olds[k] !== news[k],
    );
    return { changes: changed.length > 0, replaces: changed };
  },
  async delete() {},
};

void provider.main(served, process.argv.slice(2));
