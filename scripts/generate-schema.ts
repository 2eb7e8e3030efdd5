// Writes provider/plugin/schema.json (`npm run schema`): the Pulumi package schema of the
// `alicloudcas` plugin, generated from the zod schemas the controllers check inputs and read stored
// state with, and described by the TSDoc of the SDK's argument interfaces and resource classes.
// tests/unit/plugin-schema.test.ts fails when the committed file differs from what this makes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { z } from "zod";
import {
  ORDER_OUTPUT_NAMES,
  VALIDATION_OUTPUT_NAMES,
  SECRET_OUTPUT_NAMES,
} from "../provider/order/output-names";
import { orderInputsSchema, UNKNOWN } from "../provider/order/inputs";
import { orderStateSchema } from "../provider/order/state";
import { validationInputsSchema, validationStateSchema } from "../provider/order/validation-inputs";
import {
  instanceInputsSchema,
  instanceStateSchema,
  INSTANCE_OUTPUT_NAMES,
} from "../provider/instance/inputs";
import { SETTING_KEYS } from "../provider/order/settings";
import { ALICLOUD_SHARED_KEYS, PACKAGE, SECRET_CONFIG_KEYS } from "../provider/plugin/config";
import { RESOURCE_TOKENS } from "../provider/plugin/plugin";
import {
  DEFAULT_DNS_RECORD_TYPE,
  MANAGED_CERTIFICATE_OUTPUTS,
  MANAGED_CERTIFICATE_TOKEN,
} from "../provider/plugin/managed-certificate";

const ROOT = join(__dirname, "..", "..");
/** Where the schema is committed. */
export const SCHEMA_PATH = join(ROOT, "provider", "plugin", "schema.json");
/** The same text as a module the plugin loads (the package ships compiled code only). */
export const SCHEMA_MODULE_PATH = join(ROOT, "provider", "plugin", "schema-text.ts");

type Json = Record<string, unknown>;
/** A Pulumi schema type spec. */
type Spec = Json;

/** Outputs the engine keeps only for the controllers (versions, ownership, accounts): not in the schema. */
const INTERNAL_OUTPUTS = new Set(["schemaVersion", "claim"]);

/** Object types with fixed properties, by token (filled while the resources are rendered). */
let objectTypes: Record<string, Json> = {};

/** The token of an object type of `properties` named `name` (a shape seen before keeps its token). */
function objectType(name: string, node: Json, owner: string): Spec {
  const props = node.properties as Record<string, Json>;
  const spec: Json = {
    type: "object",
    properties: Object.fromEntries(
      Object.keys(props)
        .sort()
        .map((k) => [k, pulumiType(props[k]!, k, owner)]),
    ),
    required: [...((node.required as string[] | undefined) ?? [])].sort(),
  };
  const same = Object.entries(objectTypes).find(([, t]) => JSON.stringify(t) === JSON.stringify(spec));
  if (same) return { $ref: `#/types/${same[0]}` };
  let token = `${PACKAGE}:index:${name}`;
  if (objectTypes[token]) token = `${PACKAGE}:index:${owner}${name}`;
  objectTypes[token] = spec;
  return { $ref: `#/types/${token}` };
}

/** `validationRecords` → `ValidationRecord`: the name of one element of a property. */
const elementName = (property: string) =>
  property.charAt(0).toUpperCase() + property.slice(1).replace(/ies$/, "y").replace(/s$/, "");

/**
 * The Pulumi type of one JSON Schema node (zod's rendering), with the engine's unknown marker and
 * null left out; `property` and `owner` name the object types it needs.
 */
function pulumiType(node: Json, property: string, owner: string): Spec {
  const branches = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (branches) {
    const kept = branches
      .flatMap((b) => ((b.anyOf ?? b.oneOf) ? ((b.anyOf ?? b.oneOf) as Json[]) : [b]))
      .filter((b) => b.const !== UNKNOWN && b.type !== "null");
    if (kept.length === 1) return pulumiType(kept[0]!, property, owner);
    const before = { ...objectTypes };
    const types = kept.map((b) => JSON.stringify(pulumiType(b, property, owner)));
    if (new Set(types).size === 1) return JSON.parse(types[0]!) as Spec;
    // A union of different shapes is Any: the object types its branches made are not used.
    objectTypes = before;
    return { $ref: "pulumi.json#/Any" };
  }
  const type = Array.isArray(node.type) ? (node.type as string[]).filter((t) => t !== "null") : [node.type];
  if (type.length !== 1) return { $ref: "pulumi.json#/Any" };
  switch (type[0]) {
    case "string":
      return { type: "string" };
    case "integer":
      return { type: "integer" };
    case "number":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "array":
      return {
        type: "array",
        items: node.items ? pulumiType(node.items as Json, property, owner) : { $ref: "pulumi.json#/Any" },
      };
    case "object":
      if (node.properties) return objectType(elementName(property), node, owner);
      if (node.additionalProperties && typeof node.additionalProperties === "object")
        return {
          type: "object",
          additionalProperties: pulumiType(node.additionalProperties as Json, property, owner),
        };
      return { $ref: "pulumi.json#/Any" };
    default:
      return { $ref: "pulumi.json#/Any" };
  }
}

/** The properties of a zod object schema as Pulumi properties (`io` picks the input or the output side). */
function properties(
  owner: string,
  schema: z.ZodType,
  io: "input" | "output",
  only?: readonly string[],
): Record<string, Spec> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  const props = (json.properties ?? {}) as Record<string, Json>;
  const out: Record<string, Spec> = {};
  for (const [name, node] of Object.entries(props)) {
    if (only && !only.includes(name)) continue;
    if (INTERNAL_OUTPUTS.has(name)) continue;
    const spec = pulumiType(node, name, owner);
    if (Array.isArray(node.enum) && spec.type === "string") {
      // Accepted values, as the SDK's literal types say them.
      out[name] = { ...spec, description: undefined, accepted: node.enum };
    } else out[name] = spec;
  }
  return out;
}

/** The TSDoc of the members of the SDK's interfaces and classes, by declaration name. */
function tsdoc(): Map<string, Map<string, string>> {
  const docs = new Map<string, Map<string, string>>();
  const files = [
    "certificate-order.ts",
    "certificate-order-validation.ts",
    "instance-certificate.ts",
    "managed-certificate.ts",
  ];
  for (const file of files) {
    const path = join(ROOT, "sdk", file);
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
    const text = (node: ts.Node): string | undefined => {
      const jsDoc = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
      const comment = jsDoc?.[jsDoc.length - 1]?.comment;
      if (comment === undefined) return undefined;
      const raw = typeof comment === "string" ? comment : ts.getTextOfJSDocComment(comment);
      return raw
        ?.replace(/\{@link (\w+)\}/g, "`$1`")
        .replace(/\s*\n\s*/g, " ")
        .trim();
    };
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement) && !ts.isClassDeclaration(statement)) continue;
      const name = statement.name?.text;
      if (!name) continue;
      const members = new Map<string, string>();
      const own = text(statement);
      if (own) members.set("", own);
      for (const m of statement.members) {
        const key = m.name && ts.isIdentifier(m.name) ? m.name.text : undefined;
        const doc = key ? text(m) : undefined;
        if (key && doc) members.set(key, doc);
      }
      docs.set(name, members);
    }
  }
  return docs;
}

/** `props` with each property's description from `docs` (the args interface first, the class second). */
function described(
  props: Record<string, Spec>,
  docs: Array<Map<string, string> | undefined>,
  secrets: readonly string[] = [],
): Record<string, Spec> {
  const out: Record<string, Spec> = {};
  for (const name of Object.keys(props).sort()) {
    const { accepted, description: given, ...spec } = props[name]!;
    // The TSDoc first; a description written for the schema alone where there is none.
    const doc = docs.map((d) => d?.get(name)).find((d) => d !== undefined) ?? (given as string | undefined);
    const values = Array.isArray(accepted)
      ? ` Accepted values: ${accepted.map((v) => `\`${String(v)}\``).join(", ")}.`
      : "";
    const description = `${doc ?? ""}${values}`.trim();
    out[name] = {
      ...spec,
      ...(description ? { description } : {}),
      ...(secrets.includes(name) ? { secret: true } : {}),
    };
  }
  return out;
}

/** The resource spec of one token: its inputs, and its outputs (the inputs and the results). */
function resource(
  description: string | undefined,
  inputs: Record<string, Spec>,
  outputs: Record<string, Spec>,
  docs: Array<Map<string, string> | undefined>,
  required: readonly string[],
): Json {
  const all = { ...outputs, ...inputs };
  return {
    ...(description ? { description } : {}),
    inputProperties: described(inputs, docs),
    properties: described(all, docs, SECRET_OUTPUT_NAMES),
    required: [...required].sort(),
  };
}

/** The configuration keys: the credential and region keys `@pulumi/alicloud` also reads, and the provider's settings. */
function configVariables(): Record<string, Spec> {
  const vars: Record<string, Spec> = {};
  const shared: Record<string, string> = {
    accessKey: "Access key id (as `alicloud:accessKey` for the dynamic resources).",
    secretKey: "Access key secret.",
    securityToken: "STS security token of temporary credentials.",
    profile: "A profile of the Alibaba Cloud CLI's credentials file.",
    sharedCredentialsFile: "The credentials file (default `~/.aliyun/config.json`).",
    region:
      "Region id; the CAS endpoint follows from it (default `cn-beijing`'s endpoint, cas.aliyuncs.com).",
    endpoints: 'Endpoints by service, as `@pulumi/alicloud` takes them: a list such as `[{"cas": "host"}]`.',
    assumeRole: "Assume a RAM role: `{roleArn, sessionName, sessionExpiration, externalId, policy}`.",
    assumeRoleWithOidc:
      "Assume a RAM role with an OIDC token: `{roleArn, oidcProviderArn, oidcTokenFile, …}`.",
    ecsRoleName: "The RAM role of the ECS instance this runs on.",
    credentialsUri: "A URL that answers temporary credentials.",
  };
  for (const name of ALICLOUD_SHARED_KEYS) {
    const structured = name === "endpoints" || name.startsWith("assumeRole");
    vars[name] = {
      ...(structured ? { $ref: "pulumi.json#/Any" } : { type: "string" }),
      description: shared[name],
      ...((SECRET_CONFIG_KEYS as readonly string[]).includes(name) ? { secret: true } : {}),
    };
  }
  // Settings that take a number or true/false; the plugin hands every value to the same parser.
  const typed: Record<string, string> = {
    allowInsecureEndpoint: "boolean",
    attemptTimeoutMs: "number",
    lostAnswerGraceMs: "number",
    lostAnswerWindowSeconds: "number",
    operationTimeoutSeconds: "number",
    qps: "number",
  };
  for (const key of SETTING_KEYS) {
    const name = key.slice("alicloud-cas:".length);
    vars[name] = {
      type: typed[name] ?? "string",
      description: `The setting \`${key}\` of the dynamic resources (docs/configuration.md of each resource).`,
    };
  }
  return Object.fromEntries(
    Object.keys(vars)
      .sort()
      .map((k) => [k, vars[k]!]),
  );
}

/** The schema as an object. */
export function pluginSchema(): Json {
  objectTypes = {};
  const docs = tsdoc();
  const orderOutputs = properties("CertificateOrder", orderStateSchema, "output", ORDER_OUTPUT_NAMES);
  // The certificate's outputs are the order's (one list, output-names.ts); the rest are the validation's own.
  const validationOutputs = {
    ...properties("CertificateValidation", orderStateSchema, "output", VALIDATION_OUTPUT_NAMES),
    ...properties("CertificateValidation", validationStateSchema, "output", ["orderId", "instanceId"]),
  };
  const instanceOutputs = properties("InstanceCertificate", instanceStateSchema, "output", [
    ...INSTANCE_OUTPUT_NAMES,
    "instanceId",
    "domains",
  ]);
  const config = configVariables();
  const orderInputs = properties("CertificateOrder", orderInputsSchema, "input");
  const instanceInputs = properties("InstanceCertificate", instanceInputsSchema, "input");
  const schema: Json = {
    name: PACKAGE,
    displayName: "Alibaba Cloud CAS certificates",
    description:
      "Orders TLS certificates from Alibaba Cloud Certificate Management Service (CAS): resource-plan orders, certificate instances, and the wait for issuance.",
    publisher: "pulumi-alicloud-cas",
    keywords: ["alicloud", "cas", "certificate", "tls", "category/cloud"],
    license: "Apache-2.0",
    repository: "https://github.com/pulumi-alicloud-cas/pulumi-alicloud-cas",
    meta: { moduleFormat: "(.*)" },
    config: { variables: config },
    provider: {
      description: "One account and region of CAS: its credentials and settings.",
      inputProperties: config,
      properties: Object.fromEntries(Object.entries(config).filter(([, v]) => v.type !== undefined)),
    },
    language: languages(),
    types: {},
    resources: {
      [RESOURCE_TOKENS.order]: resource(
        docs.get("CertificateOrder")?.get(""),
        orderInputs,
        orderOutputs,
        [docs.get("CertificateOrderArgs"), docs.get("CertificateOrder")],
        ["orderId", "status", "domains", "action"],
      ),
      [RESOURCE_TOKENS.validation]: resource(
        docs.get("CertificateOrderValidation")?.get(""),
        properties("CertificateValidation", validationInputsSchema, "input", [
          "orderId",
          "instanceId",
          "validationRecordFqdns",
          "timeoutMinutes",
          "pollIntervalSeconds",
          "maxPollIntervalSeconds",
          "dnsPrecheck",
        ]),
        validationOutputs,
        [docs.get("CertificateOrderValidationArgs"), docs.get("CertificateOrderValidation")],
        ["status"],
      ),
      [RESOURCE_TOKENS.instance]: resource(
        docs.get("InstanceCertificate")?.get(""),
        instanceInputs,
        instanceOutputs,
        [docs.get("InstanceCertificateArgs"), docs.get("InstanceCertificate")],
        ["instanceId", "status", "domains"],
      ),
      [MANAGED_CERTIFICATE_TOKEN]: managedCertificate(docs, orderInputs, instanceInputs, {
        ...validationOutputs,
        validationRecords: orderOutputs.validationRecords!,
      }),
    },
  };
  schema.types = Object.fromEntries(
    Object.keys(objectTypes)
      .sort()
      .map((k) => [k, objectTypes[k]!]),
  );
  return schema;
}

/**
 * The ManagedCertificate component (served through `construct`): the order's inputs but
 * `validateType` and `adoptOrderId`, or `instance` with an InstanceCertificate's but
 * `validationMethod`; how to publish and wait; the certificate's outputs and the source's id.
 */
function managedCertificate(
  docs: Map<string, Map<string, string>>,
  orderInputs: Record<string, Spec>,
  instanceInputs: Record<string, Spec>,
  outputs: Record<string, Spec>,
): Json {
  const { validateType: _v, adoptOrderId: _a, ...order } = orderInputs;
  const { validationMethod: _m, ...instance } = instanceInputs;
  const instanceDocs = [docs.get("InstanceCertificateArgs")];
  objectTypes[`${PACKAGE}:index:ManagedCertificateInstance`] = {
    type: "object",
    description:
      "The inputs of the InstanceCertificate a ManagedCertificate applies on a certificate instance (DNS validation).",
    properties: described(instance, instanceDocs),
    required: [],
  };
  const wait = docs.get("ManagedCertificateWaitArgs");
  const inputs: Record<string, Spec> = {
    ...order,
    instance: {
      $ref: `#/types/${PACKAGE}:index:ManagedCertificateInstance`,
      description:
        "Apply on a certificate instance instead of ordering from a plan: an InstanceCertificate's inputs (`instanceType: TEST` or `instanceId`, and `domain`, `domains` or `csr` as plain strings). No order input beside it.",
    },
    recordTtl: { type: "integer" },
    timeoutMinutes: { type: "number" },
    pollIntervalSeconds: { type: "number" },
    maxPollIntervalSeconds: { type: "number" },
    publishRecords: { type: "boolean" },
    dnsRecordType: {
      type: "string",
      description: `The resource type each validation record is made as (default \`${DEFAULT_DNS_RECORD_TYPE}\`): any type whose inputs are AlidnsRecord's \`domainName\`, \`rr\`, \`type\`, \`value\` and \`ttl\`. The records are children of the component, so its \`providers\` option chooses their provider.`,
    },
  };
  const component = docs.get("ManagedCertificate");
  const validation = docs.get("CertificateOrderValidation");
  const outs: Record<string, Spec> = Object.fromEntries(
    [...MANAGED_CERTIFICATE_OUTPUTS, "orderId", "instanceId", "validationRecords"].map((k) => [
      k,
      outputs[k]!,
    ]),
  );
  outs.orderId = { type: "string" };
  outs.instanceId = { type: "string" };
  outs.validationRecords = {
    ...outs.validationRecords,
    description: "The order's (or the application's) DNS validation records, keyed by name.",
  };
  return {
    isComponent: true,
    ...(component?.get("") ? { description: component.get("") } : {}),
    inputProperties: described(inputs, [
      wait,
      docs.get("CertificateOrderArgs"),
      docs.get("CertificateOrderValidationArgs"),
    ]),
    properties: described(outs, [component, validation], SECRET_OUTPUT_NAMES),
    required: [
      "certificateId",
      "certIdentifier",
      "certificatePem",
      "fingerprintSha1",
      "fingerprintSha256",
      "notAfter",
      "serialNumber",
    ],
  };
}

/** The languages' package names. */
function languages(): Json {
  return {
    nodejs: { packageName: "@pulumi-alicloud-cas/alicloudcas" },
    python: { packageName: "pulumi_alicloudcas" },
    go: { importBasePath: "github.com/pulumi-alicloud-cas/pulumi-alicloudcas/sdk/go/alicloudcas" },
  };
}

/** The schema as committed (two-space JSON, a final newline). */
export function pluginSchemaText(): string {
  return `${JSON.stringify(pluginSchema(), null, 2)}\n`;
}

/** The module holding the schema's text. */
export function schemaModuleText(): string {
  return [
    "// Generated by `npm run schema` (scripts/generate-schema.ts) from the same source as schema.json.",
    "/** The Pulumi package schema the plugin answers GetSchema with (provider/plugin/schema.json). */",
    `export const SCHEMA_TEXT = ${JSON.stringify(pluginSchemaText())};`,
    "",
  ].join("\n");
}

if (require.main === module) {
  writeFileSync(SCHEMA_PATH, pluginSchemaText());
  writeFileSync(SCHEMA_MODULE_PATH, schemaModuleText());
  console.log(`wrote ${SCHEMA_PATH} and ${SCHEMA_MODULE_PATH}`);
}
