// The two official contract sources, read into one shape: the npm `@alicloud/cas20200407` models
// (names(), types(), "This parameter is required." remarks in src/client.ts) and the PyPI
// `alibabacloud_cas20200407` models, extracted by scripts/extract-python-sdk-contract.py into
// tests/fixtures/sdk-contract/. Fields are keyed by wire name.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/* eslint-disable @typescript-eslint/no-require-imports */
const Cas = require("@alicloud/cas20200407");
/* eslint-enable @typescript-eslint/no-require-imports */

/** `integer` only in the Python models; the npm models say `number` for every number. */
type FieldType = "string" | "integer" | "number" | "boolean" | "any" | "array" | "object" | "map";

/** One field of a model (an array's `items` or a map's `values` has no `required`). */
export interface FieldSpec {
  type: FieldType;
  required?: boolean;
  /** `array`: the element. */
  items?: FieldSpec;
  /** `object`: its fields. */
  fields?: Fields;
  /** `map`: the values. */
  values?: FieldSpec;
}
export type Fields = Record<string, FieldSpec>;

interface ActionContract {
  request: Fields;
  response: Fields;
}

export interface SdkContract {
  /** `@alicloud/cas20200407 3.0.0`, `alibabacloud_cas20200407 3.9.4`. */
  name: string;
  actions: Record<string, ActionContract>;
}

interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, string | { type: string; itemType: ModelClass | string } | ModelClass>;
}

const NPM_VERSION: string = JSON.parse(
  readFileSync(require.resolve("@alicloud/cas20200407/package.json"), "utf8"),
).version;
const NPM_SOURCE = readFileSync(require.resolve("@alicloud/cas20200407/src/client.ts"), "utf8");

/** Wire names of the npm model's fields whose doc comment says "This parameter is required.". */
function npmRequired(cls: ModelClass): Set<string> {
  const start = NPM_SOURCE.indexOf(`export class ${cls.name} extends`);
  if (start < 0) throw new Error(`${cls.name} not found in the npm SDK source`);
  const body = NPM_SOURCE.slice(start, NPM_SOURCE.indexOf("static names()", start));
  const names = cls.names();
  const out = new Set<string>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\?:/g))
    if (m[1]!.includes("This parameter is required.")) out.add(names[m[2]!]!);
  return out;
}

function npmType(t: ReturnType<ModelClass["types"]>[string]): FieldSpec {
  if (typeof t === "string") {
    if (["string", "number", "boolean", "any"].includes(t)) return { type: t as FieldType };
    throw new Error(`npm SDK type ${t} not handled`);
  }
  if ("type" in t && t.type === "array")
    return {
      type: "array",
      items: typeof t.itemType === "string" ? npmType(t.itemType) : npmType(t.itemType),
    };
  return { type: "object", fields: npmFields(t as ModelClass) };
}

/** The npm model's fields by wire name. */
function npmFields(cls: ModelClass): Fields {
  const required = npmRequired(cls);
  const types = cls.types();
  const out: Fields = {};
  for (const [field, wire] of Object.entries(cls.names()))
    out[wire] = { ...npmType(types[field]!), required: required.has(wire) };
  return out;
}

/**
 * The npm SDK's request and response-body models of `actions`, except `absent` ones (the
 * instance family, which npm 3.0.0 does not have): an action outside `absent` without a model fails.
 */
export function npmContract(
  actions: readonly string[],
  absent: ReadonlySet<string> = new Set(),
): SdkContract {
  const out: SdkContract = { name: `@alicloud/cas20200407 ${NPM_VERSION}`, actions: {} };
  for (const action of actions) {
    const request: ModelClass | undefined = Cas[`${action}Request`];
    const body: ModelClass | undefined = Cas[`${action}ResponseBody`];
    if (absent.has(action)) {
      if (request || body) throw new Error(`${out.name} now has a model of ${action}: check it too`);
      continue;
    }
    if (!request || !body) throw new Error(`${out.name} has no model of ${action}`);
    out.actions[action] = { request: npmFields(request), response: npmFields(body) };
  }
  return out;
}

/**
 * Actions of the client that npm `@alicloud/cas20200407` 3.0.0 has no model of: the instance
 * family (V2.0), held to the PyPI models alone. (`ListContact` is in both.)
 */
export const NPM_ABSENT: ReadonlySet<string> = new Set([
  "ListInstances",
  "GetInstanceSummary",
  "GetInstanceDetail",
  "UpdateInstance",
  "ApplyCertificate",
  "GetTaskAttribute",
  "CancelPendingCertificate",
  "RevokeCertificate",
  "CreateContact",
  "GetContact",
]);

/** The checked-in Python contract (see scripts/extract-python-sdk-contract.py). */
const PYTHON_CONTRACT_FILE = resolve(
  __dirname,
  "..",
  "..",
  "..",
  "tests",
  "fixtures",
  "sdk-contract",
  "alibabacloud_cas20200407-3.9.4.json",
);

interface PythonContractFile {
  sdk: string;
  version: string;
  wheelSha256: string;
  actions: Record<string, { request: { fields: Fields }; response: { fields: Fields } }>;
}

/** The PyPI SDK's request and response-body models, as the extraction script recorded them. */
export function pythonContract(): SdkContract & { wheelSha256: string } {
  const file = JSON.parse(readFileSync(PYTHON_CONTRACT_FILE, "utf8")) as PythonContractFile;
  const actions: Record<string, ActionContract> = {};
  for (const [action, a] of Object.entries(file.actions))
    actions[action] = { request: a.request.fields, response: a.response.fields };
  return { name: `${file.sdk} ${file.version}`, wheelSha256: file.wheelSha256, actions };
}

/** The fields of an object or array-of-objects field (what a nested value is checked against). */
export function nestedFields(spec: FieldSpec): Fields | undefined {
  if (spec.type === "object") return spec.fields;
  if (spec.type === "array" && spec.items?.type === "object") return spec.items.fields;
  return undefined;
}

/**
 * Paths in `value` (a JSON answer) that no contract declares, each with the reason: a key none of
 * the models at that level has, or a value whose JSON type matches none of the declared types.
 */
export function undeclared(value: unknown, levels: Fields[], path = ""): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value))
    return [`${path || "(body)"}: not an object`];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    const specs = levels.map((l) => l[key]).filter((s): s is FieldSpec => s !== undefined);
    if (specs.length === 0) {
      out.push(`${at}: no SDK declares it`);
      continue;
    }
    if (!specs.some((s) => jsonTypeFits(v, s))) {
      out.push(`${at}: ${JSON.stringify(v)?.slice(0, 40)} is not ${specs.map((s) => s.type).join(" or ")}`);
      continue;
    }
    const inner = specs.map(nestedFields).filter((f): f is Fields => f !== undefined);
    if (inner.length === 0) continue;
    for (const item of Array.isArray(v) ? v : [v])
      out.push(...undeclared(item, inner, Array.isArray(v) ? `${at}[]` : at));
  }
  return out;
}

function jsonTypeFits(v: unknown, spec: FieldSpec): boolean {
  switch (spec.type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
    case "map":
      return !!v && typeof v === "object" && !Array.isArray(v);
    case "any":
      return true;
  }
}
