import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Output } from "@pulumi/pulumi/output";
import { dnsRecordsFor, recordFor } from "../../provider/order/outputs";
import { pluginProvider } from "../../provider/plugin/plugin";
import { MANAGED_CERTIFICATE_TOKEN } from "../../provider/plugin/managed-certificate";

/**
 * The engine hands construct every input that is secret, or holds another resource's output, as an
 * Output (@pulumi/pulumi provider/server.js deserializeInputs): the inputs that decide which
 * resources the component declares are read as the values they hold, and refused, naming them, when
 * not known until another resource is created.
 */
const OutputClass = Output as unknown as new (...args: unknown[]) => unknown;
const outputOf = <T>(value: T, known = true): T =>
  new OutputClass(
    [],
    Promise.resolve(value),
    Promise.resolve(known),
    Promise.resolve(false),
    Promise.resolve([]),
  ) as T;

describe("the plugin's construct with inputs handed over as Outputs (mocked engine)", () => {
  const created: Array<{ type: string; name: string }> = [];
  const construct = pluginProvider({ version: "0.0.0", schema: () => "{}" }).provider.construct!;
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name });
          if (args.type.endsWith(":CertificateOrder")) {
            const domains = [String(args.inputs.domain)];
            const records = dnsRecordsFor(domains, `_dnsauth.${domains[0]}`, "TXT", "v");
            return {
              id: "12000009",
              state: {
                ...args.inputs,
                orderId: "12000009",
                validationRecords: Object.fromEntries(domains.map((d) => [d, recordFor(records, d)])),
              },
            };
          }
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });
  const settled = async (r: { urn: pulumi.Input<string> }) => {
    await new Promise<void>((ok) => pulumi.output(r.urn).apply(() => ok()));
    await new Promise((ok) => setTimeout(ok, 200));
  };

  it("publishRecords: false held in an Output publishes no record; a secret true publishes one", async () => {
    created.length = 0;
    await settled(
      await construct(
        "site",
        MANAGED_CERTIFICATE_TOKEN,
        { domain: "www.example.com", publishRecords: outputOf(false) },
        {},
      ),
    );
    assert.deepEqual(
      created.filter((c) => c.type === "alicloud:dns:AlidnsRecord"),
      [],
    );
    assert.ok(created.some((c) => c.type === "alicloudcas:index:CertificateOrder"));
    created.length = 0;
    await settled(
      await construct(
        "www",
        MANAGED_CERTIFICATE_TOKEN,
        { domain: "www.example.com", publishRecords: pulumi.secret(true) },
        {},
      ),
    );
    assert.equal(created.filter((c) => c.type === "alicloud:dns:AlidnsRecord").length, 1);
  });

  it("an instance object held in an Output is read as the object it holds", async () => {
    created.length = 0;
    await settled(
      await construct(
        "app",
        MANAGED_CERTIFICATE_TOKEN,
        {
          instance: outputOf({ instanceType: "TEST", domain: "app.example.com", email: "ops@example.com" }),
          publishRecords: false,
        },
        {},
      ),
    );
    assert.ok(created.some((c) => c.type === "alicloudcas:index:InstanceCertificate" && c.name === "app"));
  });

  it("one not known until another resource is created is refused, naming it", async () => {
    await assert.rejects(
      construct(
        "late",
        MANAGED_CERTIFICATE_TOKEN,
        { domain: "www.example.com", publishRecords: outputOf(undefined, false) },
        {},
      ),
      {
        message:
          "ManagedCertificate late: publishRecords is not known until another resource is created, and it decides which resources the component declares; give it as a plain value",
      },
    );
  });
});
