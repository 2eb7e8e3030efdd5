import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  pluginSchema,
  pluginSchemaText,
  schemaModuleText,
  SCHEMA_MODULE_PATH,
  SCHEMA_PATH,
} from "../../scripts/generate-schema";
import { RESOURCE_TOKENS } from "../../provider/plugin/plugin";
import { MANAGED_CERTIFICATE_TOKEN } from "../../provider/plugin/managed-certificate";

describe("the alicloudcas plugin schema (provider/plugin/schema.json)", () => {
  it("is what `npm run schema` makes from the zod schemas and the SDK's TSDoc", () => {
    assert.equal(
      readFileSync(SCHEMA_PATH, "utf8"),
      pluginSchemaText(),
      "provider/plugin/schema.json is out of date: run `npm run schema` and commit it",
    );
    assert.equal(
      readFileSync(SCHEMA_MODULE_PATH, "utf8"),
      schemaModuleText(),
      "provider/plugin/schema-text.ts is out of date: run `npm run schema` and commit it",
    );
  });

  it("declares every resource the plugin serves, each input described, and marks secrets", () => {
    const schema = pluginSchema() as {
      resources: Record<
        string,
        {
          isComponent?: boolean;
          inputProperties: Record<string, { description?: string; $ref?: string }>;
          properties: Record<string, { secret?: boolean }>;
        }
      >;
      types: Record<string, { properties: Record<string, unknown> }>;
      config: { variables: Record<string, { secret?: boolean }> };
    };
    assert.deepEqual(
      Object.keys(schema.resources).sort(),
      [...Object.values(RESOURCE_TOKENS), MANAGED_CERTIFICATE_TOKEN].sort(),
    );
    const order = schema.resources[RESOURCE_TOKENS.order]!;
    for (const [name, spec] of Object.entries(order.inputProperties))
      assert.ok(
        spec.description,
        `CertificateOrder input ${name} has no description (TSDoc in sdk/certificate-order.ts)`,
      );
    assert.equal(order.properties.privateKeyPem?.secret, true);
    assert.equal(schema.config.variables.secretKey?.secret, true);
    assert.equal(schema.config.variables.accessKey?.secret, true);
  });

  it("declares ManagedCertificate as a component: the order's inputs but validateType and adoptOrderId, or instance with an InstanceCertificate's but validationMethod", () => {
    const schema = pluginSchema() as {
      resources: Record<
        string,
        {
          isComponent?: boolean;
          inputProperties: Record<string, { description?: string; $ref?: string }>;
          properties: Record<string, { secret?: boolean }>;
        }
      >;
      types: Record<string, { properties: Record<string, unknown> }>;
    };
    const managed = schema.resources[MANAGED_CERTIFICATE_TOKEN]!;
    assert.equal(managed.isComponent, true);
    const inputs = Object.keys(managed.inputProperties);
    const orderInputs = Object.keys(schema.resources[RESOURCE_TOKENS.order]!.inputProperties);
    assert.deepEqual(
      inputs.filter((k) => orderInputs.includes(k)).sort(),
      orderInputs.filter((k) => k !== "validateType" && k !== "adoptOrderId").sort(),
    );
    for (const k of [
      "instance",
      "recordTtl",
      "timeoutMinutes",
      "pollIntervalSeconds",
      "publishRecords",
      "dnsRecordType",
    ])
      assert.ok(managed.inputProperties[k]?.description, `ManagedCertificate input ${k} is described`);
    const instanceType = schema.types[managed.inputProperties.instance!.$ref!.replace("#/types/", "")]!;
    const instanceInputs = Object.keys(schema.resources[RESOURCE_TOKENS.instance]!.inputProperties);
    assert.deepEqual(
      Object.keys(instanceType.properties).sort(),
      instanceInputs.filter((k) => k !== "validationMethod").sort(),
    );
    assert.equal(managed.properties.privateKeyPem?.secret, true);
    for (const k of [
      "certificatePem",
      "certificateId",
      "certIdentifier",
      "orderId",
      "instanceId",
      "validationRecords",
    ])
      assert.ok(managed.properties[k], `ManagedCertificate output ${k}`);
  });
});
