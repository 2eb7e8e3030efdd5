// The official SDK's generated models are the contract: every action the client uses is checked
// against `@alicloud/cas20200407` (names(), types(), "This parameter is required." remarks, the
// endpoint map, and what the SDK itself puts on the wire). Upgrading the SDK re-runs this.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { ACTIONS, type ActionName } from "../../provider/cas/actions";
import { CasClient } from "../../provider/cas/client";
import { resolveEndpoint } from "../../provider/cas/endpoints";
import { parseJsonLossless } from "../../protocol/lossless-json";

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
const SOURCE = readFileSync(require.resolve("@alicloud/cas20200407/src/client.ts"), "utf8");
const actions = Object.keys(ACTIONS) as ActionName[];

/** Wire names of the fields whose doc comment says "This parameter is required.". */
function requiredFields(cls: ModelClass): Set<string> {
  const start = SOURCE.indexOf(`export class ${cls.name} extends`);
  assert.ok(start >= 0, `${cls.name} not found in the SDK source`);
  const body = SOURCE.slice(start, SOURCE.indexOf("static names()", start));
  const names = cls.names();
  const out = new Set<string>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\?:/g))
    if (m[1]!.includes("This parameter is required.")) out.add(names[m[2]!]!);
  return out;
}

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
]);
const BIG = "98987582437920968"; // the docs' own OrderId example, beyond 2^53

/**
 * JSON text of a body with every documented field filled (numbers as `num`), plus fields the SDK
 * does not know, and the value our schema must return for each documented field.
 */
function sampleBody(cls: ModelClass, num: string): { json: string; expected: Record<string, unknown> } {
  const parts: string[] = [`"ZzUndocumented":{"x":[1,2]}`];
  const expected: Record<string, unknown> = {};
  const types = cls.types();
  for (const [field, wire] of Object.entries(cls.names())) {
    const t = types[field]!;
    if (t === "string") {
      parts.push(`"${wire}":"v-${wire}"`);
      expected[wire] = `v-${wire}`;
    } else if (t === "boolean") {
      parts.push(`"${wire}":true`);
      expected[wire] = true;
    } else if (t === "number") {
      const quantity = QUANTITIES.has(wire);
      const value = quantity ? "123" : num;
      parts.push(`"${wire}":${value}`);
      expected[wire] = quantity ? 123 : value;
    } else if (typeof t === "object" && "type" in t && t.type === "array" && typeof t.itemType !== "string") {
      const item = sampleBody(t.itemType, num);
      parts.push(`"${wire}":[${item.json}]`);
      expected[wire] = [item.expected];
    } else assert.fail(`${cls.name}.${field}: type ${JSON.stringify(t)} not handled by this test`);
  }
  return { json: `{${parts.join(",")}}`, expected };
}

describe("contract with the official SDK (@alicloud/cas20200407)", () => {
  for (const action of actions) {
    const request: ModelClass = Cas[`${action}Request`];
    const body: ModelClass = Cas[`${action}ResponseBody`];

    it(`${action}: request names, casing and required-ness match the SDK`, () => {
      const shape = (
        ACTIONS[action].request as unknown as {
          shape: Record<string, { safeParse(v: unknown): { success: boolean } }>;
        }
      ).shape;
      assert.deepEqual(Object.keys(shape).sort(), Object.values(request.names()).sort());
      const required = requiredFields(request);
      for (const [wire, schema] of Object.entries(shape))
        assert.equal(
          !schema.safeParse(undefined).success,
          required.has(wire),
          `${action}.${wire}: SDK says ${required.has(wire) ? "required" : "optional"}`,
        );
    });

    it(`${action}: the response keeps every documented field, longs as exact decimal strings, and ignores unknown fields`, () => {
      for (const num of ["123", BIG]) {
        const sample = sampleBody(body, num);
        const parsed = ACTIONS[action].response.safeParse(parseJsonLossless(sample.json));
        assert.ok(parsed.success, `${action}: ${JSON.stringify(parsed.error?.issues)}`);
        assert.deepEqual(parsed.data, sample.expected);
      }
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
    for (const action of actions) {
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
      await ours.call(action, ourArgs as never);
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
