import type { ConfigLookup } from "./credentials";

/** The China-site endpoint, used for every region but the international ones. */
export const CHINA_ENDPOINT = "https://cas.aliyuncs.com";
/** The endpoint for international accounts in international regions. */
export const INTERNATIONAL_ENDPOINT = "https://cas.ap-southeast-1.aliyuncs.com";
/** The default region, as in the Terraform/Pulumi alicloud provider. */
export const DEFAULT_REGION = "cn-beijing";

export interface EndpointSources {
  explicit?: string;
  config?: ConfigLookup;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The CAS endpoint, in this order: explicit; `ALIBABA_CLOUD_ENDPOINT_CAS`; the `cas` entry of
 * `alicloud:endpoints`; else from region and account type (`alicloud:region`, `ALICLOUD_REGION`,
 * `ALIBABA_CLOUD_REGION`, default cn-beijing; `alicloud:accountType`, `ALIBABA_CLOUD_ACCOUNT_TYPE`):
 * international accounts outside mainland-China regions use the Singapore host, everything else
 * `cas.aliyuncs.com`. A bare host gets `https://`.
 */
export function resolveEndpoint(src: EndpointSources = {}): string {
  const env = src.env ?? process.env;
  const configured =
    src.explicit ??
    env.ALIBABA_CLOUD_ENDPOINT_CAS ??
    casFromEndpointsConfig(src.config?.("alicloud:endpoints"));
  if (configured) return withScheme(configured);
  const region = resolveRegion(src);
  const accountType = src.config?.("alicloud:accountType") ?? env.ALIBABA_CLOUD_ACCOUNT_TYPE;
  const intlRegion = region === "cn-hongkong" || !region.startsWith("cn-");
  return accountType === "International" && intlRegion ? INTERNATIONAL_ENDPOINT : CHINA_ENDPOINT;
}

/** The region from config or environment, default cn-beijing. */
export function resolveRegion(src: EndpointSources = {}): string {
  const env = src.env ?? process.env;
  return src.config?.("alicloud:region") ?? env.ALICLOUD_REGION ?? env.ALIBABA_CLOUD_REGION ?? DEFAULT_REGION;
}

function withScheme(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, "");
  return /^https?:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/** `alicloud:endpoints` is structured config: a JSON list of objects such as `[{"cas": "..."}]`. */
function casFromEndpointsConfig(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const item of list) {
      if (item && typeof item === "object" && typeof (item as { cas?: unknown }).cas === "string")
        return (item as { cas: string }).cas;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
