import type { ConfigLookup } from "./credential-types";
import { CasError } from "./errors";
import { bound } from "./redact";

/** The central endpoint (China site). */
export const CHINA_ENDPOINT = "https://cas.aliyuncs.com";
/** The Singapore endpoint (what the regional rule gives for ap-southeast-1). */
export const INTERNATIONAL_ENDPOINT = "https://cas.ap-southeast-1.aliyuncs.com";
/** The default region, as in the Terraform/Pulumi alicloud provider. */
export const DEFAULT_REGION = "cn-beijing";

/**
 * Regions the official SDK (`@alicloud/cas20200407` 3.0.0, `_endpointMap`) sends to
 * `cas.aliyuncs.com`; every other region gets `cas.<region>.aliyuncs.com` (openapi-core's
 * "regional" rule). A contract test compares this with the SDK's own map.
 */
const CENTRAL_REGIONS: ReadonlySet<string> = new Set([
  "cn-hangzhou",
  "ap-northeast-2-pop",
  "ap-southeast-3",
  "ap-southeast-5",
  "cn-beijing",
  "cn-beijing-finance-1",
  "cn-beijing-finance-pop",
  "cn-beijing-gov-1",
  "cn-beijing-nu16-b01",
  "cn-chengdu",
  "cn-edge-1",
  "cn-fujian",
  "cn-haidian-cm12-c01",
  "cn-hangzhou-bj-b01",
  "cn-hangzhou-finance",
  "cn-hangzhou-internal-prod-1",
  "cn-hangzhou-internal-test-1",
  "cn-hangzhou-internal-test-2",
  "cn-hangzhou-internal-test-3",
  "cn-hangzhou-test-306",
  "cn-hongkong",
  "cn-hongkong-finance-pop",
  "cn-huhehaote",
  "cn-huhehaote-nebula-1",
  "cn-north-2-gov-1",
  "cn-qingdao",
  "cn-qingdao-nebula",
  "cn-shanghai",
  "cn-shanghai-et15-b01",
  "cn-shanghai-et2-b01",
  "cn-shanghai-finance-1",
  "cn-shanghai-inner",
  "cn-shanghai-internal-test-1",
  "cn-shenzhen",
  "cn-shenzhen-finance-1",
  "cn-shenzhen-inner",
  "cn-shenzhen-st4-d01",
  "cn-shenzhen-su18-b01",
  "cn-wuhan",
  "cn-wulanchabu",
  "cn-yushanfang",
  "cn-zhangbei",
  "cn-zhangbei-na61-b01",
  "cn-zhangjiakou",
  "cn-zhangjiakou-na62-a01",
  "cn-zhengzhou-nebula-1",
  "eu-west-1",
  "eu-west-1-oxs",
  "rus-west-1-pop",
  "us-east-1",
  "us-west-1",
]);

/** `JSON.stringify`, whose declaration omits that it answers undefined for undefined, functions and symbols. */
const stringify = (value: unknown): string | undefined => JSON.stringify(value);

export interface EndpointSources {
  explicit?: string | undefined;
  config?: ConfigLookup | undefined;
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The CAS endpoint, in this order: explicit; `ALIBABA_CLOUD_ENDPOINT_CAS`; the `cas` entry of
 * `alicloud:endpoints`; else from the region (`alicloud:region`, `ALICLOUD_REGION`,
 * `ALIBABA_CLOUD_REGION`, default cn-beijing) by the official SDK's rule: the regions of its
 * endpoint map use `cas.aliyuncs.com`, any other region `cas.<region>.aliyuncs.com`. A bare host
 * gets `https://`.
 */
export function resolveEndpoint(src: EndpointSources = {}): string {
  return resolveEndpointSource(src).endpoint;
}

/** The CAS endpoint ({@link resolveEndpoint}) and where it came from, for messages that name the fix. */
export function resolveEndpointSource(src: EndpointSources = {}): { endpoint: string; source: string } {
  const env = src.env ?? process.env;
  const configured: Array<[string, string | undefined]> = [
    ["the client's endpoint option", src.explicit],
    ["environment ALIBABA_CLOUD_ENDPOINT_CAS", env.ALIBABA_CLOUD_ENDPOINT_CAS],
    [
      "stack config alicloud:endpoints (its cas entry)",
      endpointsEntry(src.config?.("alicloud:endpoints"), "cas"),
    ],
  ];
  const found = configured.find(([, value]) => value !== undefined && value !== "");
  if (found) return { endpoint: endpointUrl(found[1]!, found[0], "CAS"), source: found[0] };
  const region = resolveRegion(src);
  return { endpoint: endpointForRegion(region), source: `region ${region} (${regionSource(src)})` };
}

/** The official SDK's endpoint for a region. */
function endpointForRegion(region: string): string {
  return CENTRAL_REGIONS.has(region) ? CHINA_ENDPOINT : `https://cas.${region}.aliyuncs.com`;
}

/**
 * The site an endpoint belongs to, as far as its host says: `cas.aliyuncs.com` and
 * `cas.cn-….aliyuncs.com` are the China site's, `cas.<region>.aliyuncs.com` for any other region
 * (such as {@link INTERNATIONAL_ENDPOINT}) the international site's; any other host (a proxy, the
 * emulator) says nothing (`undefined`).
 */
export function siteOf(endpoint: string): "china" | "international" | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === new URL(CHINA_ENDPOINT).hostname) return "china";
  const region = /^cas\.([a-z0-9-]+)\.aliyuncs\.com$/.exec(host)?.[1];
  if (region === undefined) return undefined;
  return region.startsWith("cn-") ? "china" : "international";
}

/** What a region id looks like (`cn-hangzhou`, `ap-southeast-1`, `cn-beijing-finance-1`). */
const REGION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Longer than any region id Alibaba Cloud uses (the longest in the SDK's map has 27 characters). */
const MAX_REGION_LENGTH = 50;

/**
 * The region from config or environment, default cn-beijing. It becomes part of a host name, so
 * anything but a region id (`x.attacker.example#` would send the signed requests elsewhere) is
 * refused, naming where it came from.
 */
export function resolveRegion(src: EndpointSources = {}): string {
  const found = regionSetting(src);
  if (!found) return DEFAULT_REGION;
  const [source, region] = found;
  if (region.length > MAX_REGION_LENGTH || !REGION_ID.test(region))
    throw new CasError(
      "InvalidRegion",
      `${source} is ${JSON.stringify(region.slice(0, MAX_REGION_LENGTH))}${region.length > MAX_REGION_LENGTH ? "…" : ""}, which is not a region id: ` +
        `expected lowercase letters, digits and single hyphens, at most ${MAX_REGION_LENGTH} characters (e.g. cn-hangzhou, ap-southeast-1). ` +
        "Set it to a region id (pulumi config set alicloud:region cn-hangzhou), or set the endpoint itself with alicloud:endpoints or ALIBABA_CLOUD_ENDPOINT_CAS.",
    );
  return region;
}

/** The setting that lets plain `http://` reach hosts other than this machine. */
export const ALLOW_INSECURE_ENDPOINT_KEY = "alicloud-cas:allowInsecureEndpoint";

/** Whether `host` (a URL's hostname) is this machine: `localhost`, `127.0.0.0/8` or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * `alicloud-cas:allowInsecureEndpoint` as a boolean: `true` or `false`, unset is `false`; anything
 * else is refused, naming the setting.
 */
export function allowInsecureEndpointSetting(config: ConfigLookup | undefined): boolean {
  const raw = config?.(ALLOW_INSECURE_ENDPOINT_KEY);
  if (raw === undefined || raw.trim() === "" || raw.trim() === "false") return false;
  if (raw.trim() === "true") return true;
  throw new CasError(
    "InvalidConfig",
    `${ALLOW_INSECURE_ENDPOINT_KEY}: ${JSON.stringify(raw.slice(0, 50))} is not true or false; ` +
      `set it to true only for a test network you trust (pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true), or remove it`,
  );
}

/**
 * Refuses a plain `http://` endpoint on a host other than this machine unless `allowInsecure`: the
 * requests carry the STS token and CAS answers carry private keys, which would cross the network
 * unencrypted. Loopback (the emulator on this machine) is always allowed.
 */
export function checkEndpointTransport(
  endpoint: URL,
  source: string,
  allowInsecure: boolean,
  service = "CAS",
): void {
  if (endpoint.protocol === "https:") return;
  if (endpoint.protocol !== "http:")
    throw new CasError(
      "InvalidEndpoint",
      `the ${service} endpoint ${endpoint.origin} (from ${source}) uses ${endpoint.protocol}; use https:// (or http:// for an emulator on this machine)`,
    );
  if (isLoopbackHost(endpoint.hostname) || allowInsecure) return;
  throw new CasError(
    "InsecureEndpoint",
    `the ${service} endpoint ${endpoint.origin} (from ${source}) is plain http:// to a host other than this machine: ` +
      "the access key's signatures, the STS token and the private keys CAS returns would cross the network unencrypted, so nothing was sent. " +
      `Use https://, or an http:// endpoint on 127.0.0.1, ::1 or localhost; for a test network you trust, set ` +
      `pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true (the client option allowInsecureEndpoint).`,
  );
}

/**
 * Refuses a plain `http://` endpoint on this machine reached through a proxy on another machine
 * (`alicloud-cas:proxy`), unless `allowInsecure`: the proxy receives the request in clear text,
 * STS token and signature included, so "this machine" no longer holds. A proxy on loopback, or a
 * `NO_PROXY` entry that sends the endpoint direct, keeps the request on this machine.
 */
export function checkProxiedTransport(
  endpoint: URL,
  proxy: { proxy?: string | undefined; noProxy?: string | undefined },
  proxySource: string,
  allowInsecure: boolean,
  service = "CAS",
): void {
  if (endpoint.protocol !== "http:" || allowInsecure || !proxy.proxy) return;
  if (bypassesProxy(endpoint, proxy.noProxy)) return;
  let proxyHost: string;
  try {
    proxyHost = new URL(proxy.proxy).hostname;
  } catch {
    proxyHost = "";
  }
  if (isLoopbackHost(proxyHost)) return;
  throw new CasError(
    "InsecureEndpoint",
    `the ${service} endpoint ${endpoint.origin} is plain http:// and requests to it go through the proxy at ${proxyHost || "another host"} (from ${proxySource}): ` +
      "the proxy would receive the access key's signatures, the STS token and the private keys CAS returns unencrypted, so nothing was sent. " +
      `Use an https:// endpoint, set ${proxySource.includes("config") ? "pulumi config set alicloud-cas:proxy direct" : "the proxy option to direct"} for an emulator on this machine, ` +
      `or, for a test network you trust, pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true.`,
  );
}

/** Whether a `NO_PROXY` list (comma- or space-separated; `*` for all) sends `endpoint` direct. */
function bypassesProxy(endpoint: URL, noProxy: string | undefined): boolean {
  const host = endpoint.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = endpoint.port || (endpoint.protocol === "https:" ? "443" : "80");
  return (noProxy ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === "*") return true;
      // `[::1]:8080`, `::1` (a bare IPv6 address has no port), `host:port`, `.suffix`, `*.suffix`.
      const m = entry.startsWith("[")
        ? /^\[([^\]]*)\](?::(\d+))?$/.exec(entry)
        : entry.split(":").length > 2
          ? [entry, entry, ""]
          : /^([^:]*)(?::(\d+))?$/.exec(entry);
      if (!m) return false;
      const name = m[1]!.replace(/^\*?\./, "");
      if (m[2] && m[2] !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/** The setting the region comes from and its value; none when every source is unset. */
function regionSetting(src: EndpointSources): [string, string] | undefined {
  const env = src.env ?? process.env;
  const sources: Array<[string, string | undefined]> = [
    ["stack config alicloud:region", src.config?.("alicloud:region")],
    ["environment ALICLOUD_REGION", env.ALICLOUD_REGION],
    ["environment ALIBABA_CLOUD_REGION", env.ALIBABA_CLOUD_REGION],
  ];
  // An empty value (`export ALICLOUD_REGION=`) is unset, as the Aliyun CLI treats it.
  return sources.find(([, value]) => value !== undefined && value !== "") as [string, string] | undefined;
}

function regionSource(src: EndpointSources): string {
  return (
    regionSetting(src)?.[0] ?? "the default; set alicloud:region or ALIBABA_CLOUD_ENDPOINT_CAS to change it"
  );
}

/** `value` with `https://` when it has no scheme, refused naming `source` when it is no URL at all. */
function endpointUrl(value: string, source: string, service: string): string {
  const url = withScheme(value);
  try {
    new URL(url);
    return url;
  } catch {
    throw new CasError(
      "InvalidEndpoint",
      `the ${service} endpoint ${JSON.stringify(bound(value, 80))} (from ${source}) is not a host name or URL; set it to a host such as ${service.toLowerCase()}.cn-hangzhou.aliyuncs.com or a URL such as https://${service.toLowerCase()}.cn-hangzhou.aliyuncs.com`,
    );
  }
}

function withScheme(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, "");
  return /^https?:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/**
 * An entry of `alicloud:endpoints`, the structured config `@pulumi/alicloud` reads: a JSON list of
 * objects such as `[{"cas": "..."}, {"sts": "..."}]` (one object is taken as a list of one). Other
 * services' entries are left to that package; a value that is not that shape, or an entry for
 * `service` that is not a string (or is spelled in another case), fails naming the setting.
 */
function endpointsEntry(raw: string | undefined, service: string): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const shape = `a JSON list of objects such as [{"${service}":"${service}.cn-hangzhou.aliyuncs.com"}] (pulumi config set --path 'alicloud:endpoints[0].${service}' <host>)`;
  const refuse = (problem: string) =>
    new CasError("InvalidConfig", `stack config alicloud:endpoints ${problem}; it takes ${shape}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw refuse(`is ${JSON.stringify(bound(raw, 60))}, which is not JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const item of list) {
    if (!item || typeof item !== "object" || Array.isArray(item))
      throw refuse(
        `holds ${JSON.stringify(bound(stringify(item) ?? String(item), 60))}, which is not an object`,
      );
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      if (key !== service && key.toLowerCase() === service)
        throw refuse(`has the key ${JSON.stringify(key)}; write it ${JSON.stringify(service)}`);
      if (key !== service) continue;
      if (typeof value !== "string" || value.trim() === "")
        throw refuse(
          `has a ${service} entry that is not a host name or URL (${JSON.stringify(bound(stringify(value) ?? "", 60))})`,
        );
      return value;
    }
  }
  return undefined;
}

/**
 * The STS endpoint (role and OIDC sessions, and `GetCallerIdentity`), and where it came from:
 * explicit; `ALIBABA_CLOUD_STS_ENDPOINT`; `ALIBABA_CLOUD_ENDPOINT_STS`; `ALICLOUD_STS_ENDPOINT`;
 * the `sts` entry of `alicloud:endpoints` (as `@pulumi/alicloud` names it); a CAS endpoint on this
 * machine (the emulator serves STS on the same origin); `sts.<region>.aliyuncs.com` for
 * `ALIBABA_CLOUD_STS_REGION` (as `@alicloud/credentials` does); else `https://sts.aliyuncs.com`.
 * A bare host gets `https://`.
 */
export function resolveStsEndpointSource(
  src: EndpointSources & { cas?: { endpoint: URL; source: string } } = {},
): { endpoint: string; source: string } {
  const env = src.env ?? process.env;
  const configured: Array<[string, string | undefined]> = [
    ["the client's stsEndpoint option", src.explicit],
    ["environment ALIBABA_CLOUD_STS_ENDPOINT", env.ALIBABA_CLOUD_STS_ENDPOINT],
    ["environment ALIBABA_CLOUD_ENDPOINT_STS", env.ALIBABA_CLOUD_ENDPOINT_STS],
    ["environment ALICLOUD_STS_ENDPOINT", env.ALICLOUD_STS_ENDPOINT],
    [
      "stack config alicloud:endpoints (its sts entry)",
      endpointsEntry(src.config?.("alicloud:endpoints"), "sts"),
    ],
  ];
  const found = configured.find(([, value]) => value !== undefined && value.trim() !== "");
  if (found) return { endpoint: endpointUrl(found[1]!, found[0], "STS"), source: found[0] };
  if (src.cas && isLoopbackHost(src.cas.endpoint.hostname))
    return {
      endpoint: src.cas.endpoint.origin,
      source: `the CAS endpoint's origin, on this machine (from ${src.cas.source}; an emulator serves STS there too)`,
    };
  const region = env.ALIBABA_CLOUD_STS_REGION;
  if (region && region.length <= MAX_REGION_LENGTH && REGION_ID.test(region))
    return { endpoint: `https://sts.${region}.aliyuncs.com`, source: "environment ALIBABA_CLOUD_STS_REGION" };
  return {
    endpoint: "https://sts.aliyuncs.com",
    source:
      "the default (set the sts entry of alicloud:endpoints or ALIBABA_CLOUD_STS_ENDPOINT to change it)",
  };
}
