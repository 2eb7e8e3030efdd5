// The official SDKs' generated models are the contract: every action the client uses is checked
// against the npm `@alicloud/cas20200407` models (names(), types(), "This parameter is required."
// remarks, the endpoint map, and what the SDK itself puts on the wire) and against the newer PyPI
// `alibabacloud_cas20200407` models (tests/fixtures/sdk-contract/, written by
// scripts/extract-python-sdk-contract.py). A field neither SDK declares fails, in a request or a
// response schema; the emulator's answers are held to the same models in
// tests/integration/emulator-contract.test.ts. Upgrading either SDK re-runs this.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { ACTIONS, type ActionName } from "../../provider/cas/actions";
import { CasClient } from "../../provider/cas/client";
import { resolveEndpoint } from "../../provider/cas/endpoints";
import { parseJsonLossless } from "../../protocol/lossless-json";
import {
  nestedFields,
  NPM_ABSENT,
  npmContract,
  pythonContract,
  type Fields,
  type SdkContract,
} from "../support/sdk-contracts";

/* eslint-disable @typescript-eslint/no-require-imports */
const Cas = require("@alicloud/cas20200407");
const { $OpenApiUtil } = require("@alicloud/openapi-core");
/* eslint-enable @typescript-eslint/no-require-imports */

interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, string | { type: string; itemType: ModelClass | string } | ModelClass>;
  new (map?: Record<string, unknown>): object;
}
const actions = Object.keys(ACTIONS) as ActionName[];
const npm = npmContract(actions, NPM_ABSENT);
const python = pythonContract();
const SDKS: SdkContract[] = [npm, python];
/** The SDKs that model `action` (the instance family is only in the Python one). */
const sdksOf = (action: string): SdkContract[] => SDKS.filter((sdk) => sdk.actions[action]);

// `number` fields that are quantities (counts, epoch-ms times): plain numbers on our side, since
// they stay far below 2^53. Every other `number` is a long id and must stay a decimal string.
const QUANTITIES = new Set([
  "TotalCount",
  "UsedCount",
  "IssuedCount",
  "CurrentPage",
  "ShowSize",
  "DomainCount",
  "WildDomainCount",
  "RemainDay",
  "BuyDate",
  "CertStartTime",
  "CertEndTime",
  "NotBefore",
  "NotAfter",
  // The instance family (PyPI 3.9.4 only).
  "CertificateNotBefore",
  "CertificateNotAfter",
  "CertificateRevokeTime",
  "InstanceStartTime",
  "InstanceEndTime",
  "OrderStartTime",
  "OrderEndTime",
  "FullDomainCount",
  "WildcardDomainCount",
  "InactiveCount",
  "WillExpireCount",
  "CertificateCount",
  "AutoReissueCount",
  "AutoReissueFlag",
  "EnableReissueCount",
  "DisableReissueCount",
  "DeploymentResourceCount",
  "DeploymentUseCount",
  "TotalDeploymentCount",
  "MonitorExpandFlag",
  "MonitorUseCount",
  "TotalMonitorCount",
  "EmailStatus",
  "MobileStatus",
]);
// `string` fields that carry a long id (the Python model types DescribeCertificateState.CertId as
// a string): filled with a decimal, kept as that decimal string.
const ID_STRINGS = new Set(["CertId"]);
const BIG = "98987582437920968"; // the docs' own OrderId example, beyond 2^53

/**
 * JSON text of a body with every field of `fields` filled (numbers as `num`), plus a field no SDK
 * knows, and the value our schema must return for each documented field.
 */
function sampleBody(
  fields: Fields,
  num: string,
  where: string,
): { json: string; expected: Record<string, unknown> } {
  const parts: string[] = [`"ZzUndocumented":{"x":[1,2]}`];
  const expected: Record<string, unknown> = {};
  for (const [wire, spec] of Object.entries(fields)) {
    const nested = nestedFields(spec);
    if (spec.type === "string" && ID_STRINGS.has(wire)) {
      parts.push(`"${wire}":"${num}"`);
      expected[wire] = num;
    } else if (spec.type === "string") {
      parts.push(`"${wire}":"v-${wire}"`);
      expected[wire] = `v-${wire}`;
    } else if (spec.type === "boolean") {
      parts.push(`"${wire}":true`);
      expected[wire] = true;
    } else if (spec.type === "number" || spec.type === "integer") {
      const quantity = QUANTITIES.has(wire);
      const value = quantity ? "123" : num;
      parts.push(`"${wire}":${value}`);
      expected[wire] = quantity ? 123 : value;
    } else if (spec.type === "array" && spec.items?.type === "string") {
      parts.push(`"${wire}":["v-${wire}"]`);
      expected[wire] = [`v-${wire}`];
    } else if (spec.type === "array" && spec.items?.type === "integer") {
      // Arrays of integers are id lists (ContactIdList): decimal strings.
      parts.push(`"${wire}":[${num}]`);
      expected[wire] = [num];
    } else if (spec.type === "array" && nested) {
      const item = sampleBody(nested, num, `${where}.${wire}[]`);
      parts.push(`"${wire}":[${item.json}]`);
      expected[wire] = [item.expected];
    } else assert.fail(`${where}.${wire}: type ${JSON.stringify(spec)} not handled by this test`);
  }
  return { json: `{${parts.join(",")}}`, expected };
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** The object shape inside a schema (through optional, nullable, transforms and arrays), if any. */
function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (def.type === "object") return def.shape as Record<string, AnySchema>;
    if (["optional", "nullable", "default", "readonly"].includes(def.type)) s = def.innerType as AnySchema;
    else if (def.type === "pipe") s = def.in as AnySchema;
    else if (def.type === "array") s = def.element as AnySchema;
    else return undefined;
  }
}

/** Fields a schema declares (nested objects too) that none of `levels` (one per SDK) has. */
function unknownToSdks(schema: AnySchema, levels: Fields[], path = ""): string[] {
  const shape = objectShape(schema);
  assert.ok(shape, `${path || "(root)"}: not an object schema`);
  const out: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const at = path ? `${path}.${key}` : key;
    const specs = levels.map((l) => l[key]).filter((s) => s !== undefined);
    if (specs.length === 0) out.push(at);
    else if (objectShape(field))
      out.push(
        ...unknownToSdks(
          field,
          specs.map(nestedFields).filter((f): f is Fields => f !== undefined),
          at,
        ),
      );
  }
  return out;
}

describe("contract with the official SDKs (npm @alicloud/cas20200407, PyPI alibabacloud_cas20200407)", () => {
  it("the Python SDK's contract covers exactly the client's actions (else re-run scripts/extract-python-sdk-contract.py)", () => {
    assert.deepEqual(Object.keys(python.actions).sort(), [...actions].sort());
    // The npm SDK lacks exactly the instance family (NPM_ABSENT); every other action is held to both.
    assert.deepEqual(
      actions.filter((a) => !npm.actions[a]),
      actions.filter((a) => NPM_ABSENT.has(a)),
    );
    assert.match(python.wheelSha256, /^[0-9a-f]{64}$/);
  });

  for (const action of actions) {
    const request = ACTIONS[action].request as unknown as AnySchema;
    const response = ACTIONS[action].response as unknown as AnySchema;

    it(`${action}: request names, casing and required-ness match the SDKs; no field neither SDK has`, () => {
      const shape = objectShape(request)!;
      const levels = sdksOf(action).map((sdk) => sdk.actions[action]!.request);
      assert.deepEqual(unknownToSdks(request, levels), [], `${action}: request fields neither SDK declares`);
      // Every field both SDKs declare can be sent.
      const both = Object.keys(levels[0]!).filter((k) => levels.every((l) => l[k]));
      assert.deepEqual(
        both.filter((k) => !(k in shape)),
        [],
        `${action}: fields both SDKs declare that the request schema lacks`,
      );
      for (const [wire, schema] of Object.entries(shape))
        for (const sdk of sdksOf(action)) {
          const spec = sdk.actions[action]!.request[wire];
          if (!spec) continue;
          assert.equal(
            !schema.safeParse(undefined).success,
            spec.required,
            `${action}.${wire}: ${sdk.name} says ${spec.required ? "required" : "optional"}`,
          );
        }
    });

    it(`${action}: the response keeps every field either SDK documents, longs as exact decimal strings, and ignores unknown fields`, () => {
      for (const sdk of sdksOf(action))
        for (const num of ["123", BIG]) {
          const sample = sampleBody(sdk.actions[action]!.response, num, `${sdk.name} ${action}`);
          const parsed = ACTIONS[action].response.safeParse(parseJsonLossless(sample.json));
          assert.ok(parsed.success, `${sdk.name} ${action}: ${JSON.stringify(parsed.error?.issues)}`);
          assert.deepEqual(parsed.data, sample.expected, `${sdk.name} ${action}`);
        }
    });

    it(`${action}: the response schema declares no field neither SDK has`, () => {
      const levels = sdksOf(action).map((sdk) => sdk.actions[action]!.response);
      assert.deepEqual(
        unknownToSdks(response, levels),
        [],
        `${action}: response fields neither SDK declares`,
      );
    });
  }

  it("sends exactly what the SDK sends for every action: POST, same query names and values (Tags.N.Key), empty body", async () => {
    const seen: Array<{ method: string; query: Record<string, string>; body: string }> = [];
    const server = createServer((req: IncomingMessage, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString()));
      req.on("end", () => {
        const query = Object.fromEntries(new URL(req.url!, "http://x").searchParams);
        seen.push({ method: req.method!, query, body: text });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          `{"RequestId":"R","OrderId":1,"Type":"process","TotalCount":1,"UsedCount":0,"IssuedCount":0,"ProductCode":"p","Id":1}`,
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sdk = new Cas.default(
      new $OpenApiUtil.Config({
        accessKeyId: "ak",
        accessKeySecret: "sk",
        endpoint: new URL(endpoint).host,
        protocol: "http",
        regionId: "cn-hangzhou",
      }),
    );
    const ours = new CasClient({
      endpoint,
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: {},
      rateLimits: false,
    });
    // The npm SDK has no model of the instance family to compare the wire with.
    for (const action of actions.filter((a) => !NPM_ABSENT.has(a))) {
      const request: ModelClass = Cas[`${action}Request`];
      const types = request.types();
      const sdkArgs: Record<string, unknown> = {};
      const ourArgs: Record<string, unknown> = {};
      for (const [field, wire] of Object.entries(request.names())) {
        const t = types[field]!;
        if (t === "string") [sdkArgs[field], ourArgs[wire]] = [`v ${wire}*`, `v ${wire}*`];
        else if (t === "number") [sdkArgs[field], ourArgs[wire]] = [42, /Id$/.test(wire) ? "42" : 42];
        else if (t === "boolean") [sdkArgs[field], ourArgs[wire]] = [true, true];
        else if (typeof t === "object" && "itemType" in t && typeof t.itemType !== "string") {
          const item = t.itemType;
          sdkArgs[field] = [new item({ key: "env", value: "a b" }), new item({ key: "k2", value: "" })];
          ourArgs[wire] = [
            { Key: "env", Value: "a b" },
            { Key: "k2", Value: "" },
          ];
        }
      }
      // Values our schemas would refuse are not the point here: send what they accept.
      if (ourArgs.ValidateType) [sdkArgs.validateType, ourArgs.ValidateType] = ["DNS", "DNS"];
      if (ourArgs.OrderType) [sdkArgs.orderType, ourArgs.OrderType] = ["CPACK", "CPACK"];
      const method = action[0]!.toLowerCase() + action.slice(1);
      await sdk[method](new request(sdkArgs));
      await ours.call(action, ourArgs);
      const [theirs, mine] = seen.splice(0, 2);
      assert.equal(mine!.method, theirs!.method, action);
      assert.equal(mine!.body, theirs!.body, action);
      assert.deepEqual(mine!.query, theirs!.query, action);
    }
    server.closeAllConnections();
    server.close();
  });

  it("resolves the endpoint of every region as the SDK does", () => {
    const sdkMap: Record<string, string> = new Cas.default(
      new $OpenApiUtil.Config({ accessKeyId: "ak", accessKeySecret: "sk", regionId: "cn-hangzhou" }),
    )._endpointMap;
    const regions = [
      ...Object.keys(sdkMap),
      "ap-southeast-1",
      "eu-central-1",
      "me-east-1",
      "cn-heyuan",
      "ap-northeast-1",
    ];
    for (const regionId of regions) {
      const theirs: string = new Cas.default(
        new $OpenApiUtil.Config({ accessKeyId: "ak", accessKeySecret: "sk", regionId }),
      )._endpoint;
      assert.equal(
        resolveEndpoint({ env: { ALIBABA_CLOUD_REGION: regionId } }),
        `https://${theirs}`,
        regionId,
      );
    }
  });
});
