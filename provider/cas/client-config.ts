import type { Clock } from "../../runtime/clock";
import { systemClock } from "../../runtime/clock";
import type { ActionName } from "./actions";
import type { StsRoute } from "./caller-identity";
import { processClientRuntime, type ClientRuntime } from "./client-runtime";
import {
  credentialChain,
  fixedCredentials,
  type ConfigLookup,
  type CredentialProvider,
  type Credentials,
} from "./credentials";
import { DEFAULT_OPERATION_TIMEOUT_MS } from "./deadline";
import {
  allowInsecureEndpointSetting,
  checkEndpointTransport,
  checkProxiedTransport,
  resolveEndpointSource,
  resolveStsEndpointSource,
} from "./endpoints";
import { PROXY_KEY, resolveProxy } from "./proxy-settings";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import type { ClientEvent } from "./retry-strategy";
import type { SignatureScheme } from "./sign-request";
import { StsClient } from "./sts-client";
import type { ProxySettings } from "./transport";

/** How a {@link CasClient} is built; every field is optional. */
export interface CasClientOptions {
  /** `https://cas.aliyuncs.com` by default; `http://127.0.0.1:PORT` for the emulator. */
  endpoint?: string | undefined;
  /**
   * Pace by account: every set of credentials is matched to its account (one `GetCallerIdentity`
   * per process and credentials) before its first request, so a rotated token or another key of
   * the same account shares the account's budget. Default `false`: by account once the account of
   * the credentials is known in this process, else by access key.
   */
  accountPacing?: boolean | undefined;
  /**
   * Allows a plain `http://` endpoint on a host other than this machine (loopback is always
   * allowed). Default: stack config `alicloud-cas:allowInsecureEndpoint`, else `false`.
   */
  allowInsecureEndpoint?: boolean | undefined;
  /**
   * The proxy for every request (`http://host:port`, credentials allowed), or `direct` for none.
   * Default: stack config `alicloud-cas:proxy`, else `HTTPS_PROXY` / `HTTP_PROXY` (and the
   * lowercase spellings) from `env`; `NO_PROXY` applies either way.
   */
  proxy?: string | undefined;
  accessKeyId?: string | undefined;
  accessKeySecret?: string | undefined;
  securityToken?: string | undefined;
  /** Already-resolved credentials (skips resolution). */
  credentials?: Credentials | undefined;
  /** Path of the Aliyun CLI config; default `~/.aliyun/config.json`. */
  profileFile?: string | undefined;
  /**
   * STS: role and OIDC sessions come from it, and it tells which account the credentials belong
   * to (`GetCallerIdentity`). Default: `ALIBABA_CLOUD_STS_ENDPOINT`, `ALIBABA_CLOUD_ENDPOINT_STS`,
   * `ALICLOUD_STS_ENDPOINT`, the `sts` entry of `alicloud:endpoints`, the CAS endpoint's origin
   * when it is on this machine (the emulator), else `https://sts.aliyuncs.com` (see
   * {@link resolveStsEndpointSource}).
   */
  stsEndpoint?: string | undefined;
  /** The ECS metadata service (ECS RAM role); default `alicloud-cas:ecsMetadataEndpoint`, else `http://100.100.100.200`. */
  ecsMetadataEndpoint?: string | undefined;
  /** Pulumi stack config as `configure` sees it (`alicloud:*` keys). */
  config?: ConfigLookup | undefined;
  /** Environment to read; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Wire shape and signature; `acs3` (the official SDK's) by default. */
  signatureScheme?: SignatureScheme | undefined;
  /** One attempt's limit (default 10 s). */
  attemptTimeoutMs?: number | undefined;
  /**
   * Limit for a call (retries and waits included) made outside a provider operation; inside one,
   * the operation's {@link Deadline} applies (default 90 s).
   */
  deadlineMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Per-action requests per second; `false` turns client-side limiting off. */
  rateLimits?: Partial<Record<ActionName, number>> | false | undefined;
  clock?: Clock | undefined;
  onEvent?: ((event: ClientEvent) => void) | undefined;
  userAgent?: string | undefined;
  /**
   * The connections, account look-ups and pacing this client shares with others (a composition
   * root creates one); {@link processClientRuntime} by default.
   */
  runtime?: ClientRuntime | undefined;
}

/** The options resolved: where requests go and how, and what the client's parts are built from. */
export interface ClientConfig {
  endpoint: URL;
  /** Where the endpoint came from (`environment ALIBABA_CLOUD_ENDPOINT_CAS`, …), for messages. */
  endpointSource: string;
  proxy: ProxySettings;
  /** How requests leave (` through the proxy … (from …)`, or empty), for messages. */
  route: string;
  /** One STS route for role and OIDC sessions and for GetCallerIdentity. */
  sts: StsRoute;
  /** Why the STS endpoint may not be asked (plain http:// to another host), thrown at the first ask. */
  stsRefusal: unknown;
  credentials: CredentialProvider;
  scheme: SignatureScheme;
  policy: RetryPolicy;
  clock: Clock;
  attemptTimeoutMs: number;
  deadlineMs: number;
  rateLimits: CasClientOptions["rateLimits"];
  onEvent: (event: ClientEvent) => void;
  userAgent: string;
  accountPacing: boolean;
  runtime: ClientRuntime;
}

const USER_AGENT = `pulumi-alicloud-cas (${process.platform}; ${process.arch}) Node.js/${process.version}`;

/**
 * Resolves a client's options against stack config and the environment: the endpoint (plain
 * http:// only on this machine unless allowed), the proxy, the STS route and the credential chain.
 * A setting that cannot work for CAS fails here, naming it.
 */
export function resolveClientConfig(options: CasClientOptions): ClientConfig {
  const resolved = resolveEndpointSource({
    explicit: options.endpoint,
    config: options.config,
    env: options.env,
  });
  const endpoint = new URL(resolved.endpoint);
  const endpointSource = resolved.source;
  const allowInsecure = options.allowInsecureEndpoint ?? allowInsecureEndpointSetting(options.config);
  checkEndpointTransport(endpoint, endpointSource, allowInsecure);
  const env = options.env ?? process.env;
  const proxySetting: [string | undefined, string] =
    options.proxy !== undefined
      ? [options.proxy, "the client's proxy option"]
      : [options.config?.(PROXY_KEY), `stack config ${PROXY_KEY}`];
  const { settings: proxy, route } = resolveProxy(proxySetting, env, endpoint.hostname);
  checkProxiedTransport(endpoint, proxy, proxySetting[1], allowInsecure);
  const clock = options.clock ?? systemClock;
  const runtime = options.runtime ?? processClientRuntime();
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const userAgent = options.userAgent ? `${USER_AGENT} ${options.userAgent}` : USER_AGENT;
  const sts = stsRoute(options, proxySetting, env, allowInsecure, { endpoint, source: endpointSource });
  const credentials = options.credentials
    ? fixedCredentials(options.credentials)
    : credentialChain({
        explicit: {
          accessKeyId: options.accessKeyId,
          accessKeySecret: options.accessKeySecret,
          securityToken: options.securityToken,
        },
        config: options.config,
        env: options.env,
        profileFile: options.profileFile,
        sts: new StsClient(
          { ...sts.route, ...(sts.refusal ? { refusal: sts.refusal } : {}) },
          () => clock.now(),
          attemptTimeoutMs,
          runtime.transport,
        ),
        ecsMetadataEndpoint: options.ecsMetadataEndpoint,
        now: () => clock.now(),
      });
  return {
    endpoint,
    endpointSource,
    proxy,
    route,
    sts: { ...sts.route, clock, userAgent, attemptTimeoutMs, transport: runtime.transport },
    stsRefusal: sts.refusal,
    credentials,
    scheme: options.signatureScheme ?? "acs3",
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    clock,
    attemptTimeoutMs,
    deadlineMs: options.deadlineMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    rateLimits: options.rateLimits,
    onEvent: options.onEvent ?? (() => undefined),
    userAgent,
    accountPacing: options.accountPacing ?? false,
    runtime,
  };
}

/**
 * The STS endpoint (plain http:// only on this machine, as for CAS) and the same proxy setting as
 * CAS requests. Checked when STS is first asked: a setting no request uses stops nothing, so a
 * refusal is returned, not thrown.
 */
function stsRoute(
  options: CasClientOptions,
  proxySetting: [string | undefined, string],
  env: Readonly<Record<string, string | undefined>>,
  allowInsecure: boolean,
  cas: { endpoint: URL; source: string },
): {
  route: { endpoint: URL; source: string; proxy: ProxySettings; route: string };
  refusal?: unknown;
} {
  const sts = resolveStsEndpointSource({ explicit: options.stsEndpoint, config: options.config, env, cas });
  const endpoint = new URL(sts.endpoint);
  const { settings, route } = resolveProxy(proxySetting, env, endpoint.hostname);
  const found = { endpoint, source: sts.source, proxy: settings, route };
  try {
    checkEndpointTransport(endpoint, sts.source, allowInsecure, "STS");
    checkProxiedTransport(endpoint, settings, proxySetting[1], allowInsecure, "STS");
    return { route: found };
  } catch (e) {
    return { route: found, refusal: e };
  }
}
