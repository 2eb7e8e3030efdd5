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
          inputProperties: Record<string, { description?: string }>;
          properties: Record<string, { secret?: boolean }>;
        }
      >;
      config: { variables: Record<string, { secret?: boolean }> };
    };
    assert.deepEqual(Object.keys(schema.resources).sort(), Object.values(RESOURCE_TOKENS).sort());
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
});
