// Drives the official @alicloud/cas20200407 client generically: action name + API-named params in,
// API-named response body out. Used as an independent peer against the emulator.
/* eslint-disable @typescript-eslint/no-require-imports */
const Cas = require("@alicloud/cas20200407");
const { $OpenApiUtil } = require("@alicloud/openapi-core");

type Body = Record<string, unknown>;

export interface OfficialCaller {
  call(action: string, params: Record<string, unknown>): Promise<Body>;
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** An official client pointed at `endpoint` (`http://127.0.0.1:PORT`), V3 signing unless `v2`. */
export function officialClient(
  endpoint: string,
  accessKeyId: string,
  accessKeySecret: string,
  v2 = false,
): OfficialCaller {
  const url = new URL(endpoint);
  const config = new $OpenApiUtil.Config({
    accessKeyId,
    accessKeySecret,
    endpoint: url.host,
    protocol: "http",
    regionId: "cn-hangzhou",
    ...(v2 ? { signatureAlgorithm: "v2" } : {}),
  });
  const client = new Cas.default(config);
  return {
    async call(action, params) {
      const camel: Record<string, unknown> = {};
      // The SDK types ids as numbers (and would round ids above 2^53; the tests keep them small).
      for (const [k, v] of Object.entries(params))
        camel[lowerFirst(k)] = /Id$/.test(k) && typeof v === "string" ? Number(v) : v;
      const request = new Cas[`${action}Request`](camel);
      const res = await client[lowerFirst(action)](request);
      return res.body.toMap() as Body;
    },
  };
}
