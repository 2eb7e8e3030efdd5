import type { ActionName } from "../cas/actions";
import type { ConfigLookup } from "../cas/credentials";
import { credentialSettingProblems } from "../cas/credential-settings";
import { Deadline, DEFAULT_OPERATION_TIMEOUT_MS } from "../cas/deadline";
import { CasError } from "../cas/errors";
import { bound } from "../cas/redact";
import type { LostAnswerPolicy } from "./ownership";
import { configuredPolicy, type PlacerPolicy } from "./placer";

const SCHEME_KEY = "alicloud-cas:signatureScheme";
const QPS_KEY = "alicloud-cas:qps";
const ATTEMPT_TIMEOUT_KEY = "alicloud-cas:attemptTimeoutMs";
const TIMEOUT_KEY = "alicloud-cas:operationTimeoutSeconds";
const LOST_ANSWER_KEY = "alicloud-cas:adoptAfterLostAnswer";
const PROXY_KEY = "alicloud-cas:proxy";
/** The longest timer Node keeps (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The stack setting that confirms every order of unknown ownership as placed by this stack. */
export const LEGACY_OWNERSHIP_KEY = "alicloud-cas:legacyOwnership";

/** `alicloud-cas:signatureScheme`: `acs3` (the default), `acs3-form` or `rpc-v1`; anything else fails naming them. */
function signatureScheme(config: ConfigLookup): "acs3" | "acs3-form" | "rpc-v1" {
  const raw = config(SCHEME_KEY);
  if (raw === undefined || raw.trim() === "" || raw.trim() === "acs3") return "acs3";
  if (raw.trim() === "acs3-form" || raw.trim() === "rpc-v1") return raw.trim() as "acs3-form" | "rpc-v1";
  throw invalidSetting(
    SCHEME_KEY,
    raw,
    'is not a signature scheme; use "acs3" (the default), "acs3-form" or "rpc-v1"',
  );
}

/** An http(s) URL setting, unset when absent; anything else fails naming the key. */
function urlSetting(config: ConfigLookup, key: string): string | undefined {
  const raw = config(key);
  if (raw === undefined || raw.trim() === "") return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === "http:" || url.protocol === "https:")) return raw.trim();
  throw invalidSetting(key, raw, "is not an http(s) URL; set a URL such as https://host:port, or remove it");
}

/** `alicloud-cas:proxy`, checked as the client's transport reads it (`direct`, or an http(s) proxy URL). */
function proxySetting(config: ConfigLookup): string | undefined {
  const raw = config(PROXY_KEY);
  if (raw === undefined || raw.trim() === "") return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveProxy } = require("../cas/proxy-settings") as typeof import("../cas/proxy-settings");
  resolveProxy([raw, `stack config ${PROXY_KEY}`], {}, "cas.aliyuncs.com");
  return raw.trim();
}

/** `alicloud-cas:adoptAfterLostAnswer`: `stop` when unset; another value fails naming both. */
function lostAnswerPolicy(config: ConfigLookup): LostAnswerPolicy {
  const raw = config(LOST_ANSWER_KEY);
  if (raw === undefined || raw.trim() === "" || raw.trim() === "stop") return "stop";
  if (raw.trim() === "unique") return "unique";
  throw new CasError(
    "InvalidConfig",
    `${LOST_ANSWER_KEY}: ${JSON.stringify(bound(raw, 40))} is not a setting; use "stop" (the default: a lost create answer with candidates stops and lists them) or "unique" (adopt the only candidate)`,
  );
}

/** `alicloud-cas:legacyOwnership`: `placed` confirms orders of unknown ownership; unset leaves them unknown. */
function legacyOwnership(config: ConfigLookup): "placed" | "unknown" {
  const v = config(LEGACY_OWNERSHIP_KEY);
  if (v === undefined || v === "" || v === "unknown") return "unknown";
  if (v === "placed") return "placed";
  throw new CasError(
    "InvalidConfig",
    `${LEGACY_OWNERSHIP_KEY}: ${JSON.stringify(bound(v, 40))} is not a setting; use "placed" (every order this stack recorded before ownership was recorded was placed by this stack) or leave it unset`,
  );
}

/** A positive number setting, unset when absent; anything else fails naming the key and the unit. */
function positiveSetting(
  config: ConfigLookup,
  key: string,
  unit: string,
  example: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = config(key);
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw.trim());
  if (Number.isFinite(n) && n > 0 && n <= max) return n;
  throw invalidSetting(
    key,
    raw,
    n > max
      ? `is more than ${max} ${unit}, the most this setting takes; set a smaller number such as ${example}, or remove it for the default`
      : `is not a positive number of ${unit}; set a number such as ${example}, or remove it for the default`,
  );
}

function invalidSetting(key: string, raw: string, problem: string): CasError {
  return new CasError(
    "InvalidConfig",
    `${key}: ${JSON.stringify(bound(raw, 40))} ${problem} (pulumi config set ${key} <value>)`,
  );
}

/**
 * The one schema of the provider's settings: every `alicloud-cas:` key it reads, each with the one
 * parser that fails naming the key and the accepted values. Keys whose values belong to the client's
 * parts (the endpoint, the proxy, the credential chain) are parsed there and checked here through them.
 */
const SCHEMA = {
  [LOST_ANSWER_KEY]: lostAnswerPolicy,
  "alicloud-cas:allowInsecureEndpoint": (c: ConfigLookup): boolean => {
    const endpoints =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("../cas/endpoints") as typeof import("../cas/endpoints");
    endpoints.resolveEndpointSource({ config: c, env: process.env });
    return endpoints.allowInsecureEndpointSetting(c);
  },
  [ATTEMPT_TIMEOUT_KEY]: (c: ConfigLookup) =>
    positiveSetting(c, ATTEMPT_TIMEOUT_KEY, "milliseconds", "10000", MAX_TIMER_MS),
  // Read by the credential chain (provider/cas/credentials.ts) when a credential needs it.
  "alicloud-cas:ecsMetadataEndpoint": (c: ConfigLookup) => urlSetting(c, "alicloud-cas:ecsMetadataEndpoint"),
  [LEGACY_OWNERSHIP_KEY]: legacyOwnership,
  // Read by the credential chain's OAuth profile (provider/cas/oauth-credentials.ts) when one is used.
  "alicloud-cas:oauthEndpoint": (c: ConfigLookup) => urlSetting(c, "alicloud-cas:oauthEndpoint"),
  // Both lost-answer timings: the placer's policy parser (placer.ts) names the key and the unit.
  "alicloud-cas:lostAnswerGraceMs": (c: ConfigLookup): Partial<PlacerPolicy> => configuredPolicy(c),
  "alicloud-cas:lostAnswerWindowSeconds": (c: ConfigLookup): Partial<PlacerPolicy> => configuredPolicy(c),
  [TIMEOUT_KEY]: (c: ConfigLookup): number => {
    const seconds = positiveSetting(c, TIMEOUT_KEY, "seconds", "90", Math.floor(MAX_TIMER_MS / 1000));
    return seconds === undefined ? DEFAULT_OPERATION_TIMEOUT_MS : seconds * 1000;
  },
  // Read by the client's transport when the client is built; checked here the same way.
  [PROXY_KEY]: proxySetting,
  [QPS_KEY]: (c: ConfigLookup) => positiveSetting(c, QPS_KEY, "requests per second", "5"),
  [SCHEME_KEY]: signatureScheme,
} as const;

type Schema = typeof SCHEMA;
/** A setting's key. */
export type SettingKey = keyof Schema;

/** Every `alicloud-cas:` stack setting the provider reads (docs/configuration in each page). */
export const SETTING_KEYS = Object.keys(SCHEMA).sort() as SettingKey[];

/** Settings of `@pulumi/alicloud` this provider reads too; a different letter case is a typo. */
const ALICLOUD_KEYS = [
  "alicloud:accessKey",
  "alicloud:secretKey",
  "alicloud:securityToken",
  "alicloud:profile",
  "alicloud:sharedCredentialsFile",
  "alicloud:region",
  "alicloud:endpoints",
  "alicloud:assumeRole",
  "alicloud:assumeRoleWithOidc",
  "alicloud:ecsRoleName",
  "alicloud:credentialsUri",
];

/**
 * The `alicloud:` settings of `@pulumi/alicloud` (its `config/vars`, 3.x): left alone even when one
 * is a near miss of a key this provider reads.
 */
const PULUMI_ALICLOUD_KEYS = new Set([
  "accessKey",
  "accountId",
  "accountType",
  "assumeRole",
  "assumeRoleWithOidc",
  "clientConnectTimeout",
  "clientReadTimeout",
  "configurationSource",
  "credentialsUri",
  "ecsRoleName",
  "endpoints",
  "fc",
  "features",
  "logEndpoint",
  "maxRetryTimeout",
  "mnsEndpoint",
  "otsInstanceName",
  "profile",
  "protocol",
  "region",
  "secretKey",
  "secureTransport",
  "securityToken",
  "securityTransport",
  "sharedCredentialsFile",
  "signVersion",
  "skipRegionValidation",
  "sourceIp",
]);

/**
 * Stack settings that look like typos: an `alicloud-cas:` key the provider does not read (every key
 * of that namespace is this provider's), an `alicloud:` key it reads spelled in another letter
 * case (`alicloud:secretkey`), or an `alicloud:` key neither it nor `@pulumi/alicloud` reads within
 * two edits of one it reads (`alicloud:regoin`). Each names the key and what was probably meant.
 */
export function misspelledSettings(keys: readonly string[]): string[] {
  const known = new Set<string>(SETTING_KEYS);
  const problems: string[] = [];
  for (const key of keys) {
    if (key.startsWith("alicloud-cas:") && !known.has(key)) {
      const near = nearest(key, SETTING_KEYS);
      problems.push(
        `${key} is not a setting of this provider${near ? `; did you mean ${near}?` : ""} (settings: ${SETTING_KEYS.map((k) => k.slice("alicloud-cas:".length)).join(", ")})`,
      );
    } else if (key.startsWith("alicloud:")) {
      const same = ALICLOUD_KEYS.find((k) => k !== key && k.toLowerCase() === key.toLowerCase());
      if (same)
        problems.push(`${key} is spelled ${same} (letter case matters); the provider does not read ${key}`);
      else if (!ALICLOUD_KEYS.includes(key) && !PULUMI_ALICLOUD_KEYS.has(key.slice("alicloud:".length))) {
        // Not @pulumi/alicloud's either: a near miss of a key this provider reads is a typo that would
        // otherwise pass silently (and credentials or the region come from somewhere else).
        const near = nearest(key, ALICLOUD_KEYS, 2);
        if (near)
          problems.push(
            `${key} is not a setting of this provider or of @pulumi/alicloud; did you mean ${near}? (the provider does not read ${key})`,
          );
      }
    }
  }
  return problems;
}

/** The known key closest to `key` (same letters ignoring case, or at most `most` edits), if any. */
export function nearest(key: string, candidates: readonly string[], most = 3): string | undefined {
  let best: [string, number] | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === key.toLowerCase() ? 0 : editDistance(c, key);
    if (d <= most && (!best || d < best[1])) best = [c, d];
  }
  return best?.[0];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Stack config as `configure` delivered it, checked against the schema once: each value parsed, each
 * mistyped key and refused value kept as a problem that `check` reports and that fails every API
 * call. An error in `configure` itself would be reported once, and the host would go on with the
 * provider it had already cached. Nothing here is ever serialized into state.
 */
export class Settings {
  private readonly problems: string[];

  /**
   * `requestConfig` is the request `configure` got: the dynamic-provider host keeps the keys on it as
   * `rawConfig`, so mistyped keys are found there.
   */
  constructor(
    readonly lookup: ConfigLookup,
    requestConfig?: unknown,
  ) {
    const raw = (requestConfig as { rawConfig?: unknown } | undefined)?.rawConfig;
    const names = raw && typeof raw === "object" ? misspelledSettings(Object.keys(raw)) : [];
    this.problems =
      names.length > 0
        ? [
            `${names.join("; ")}. Fix the key with pulumi config rm <key> and pulumi config set <right key> <value>`,
          ]
        : [];
    const seen = new Set<string>();
    for (const message of credentialSettingProblems(lookup)) {
      this.problems.push(message);
      seen.add(message);
    }
    for (const parse of Object.values(SCHEMA))
      try {
        parse(lookup);
      } catch (e) {
        const message = e instanceof CasError ? e.message : String(e);
        // Two keys share one parser (the placer's policy): its problem is said once.
        if (!seen.has(message)) this.problems.push(message);
        seen.add(message);
      }
  }

  /** One stack config value as `configure` delivered it. */
  raw(key: string): string | undefined {
    return this.lookup(key);
  }

  /** The parsed value of `key`; a bad value throws naming the key (as {@link assert} does for all). */
  get<K extends SettingKey>(key: K): ReturnType<Schema[K]> {
    return SCHEMA[key](this.lookup) as ReturnType<Schema[K]>;
  }

  /** Fails naming every setting found wrong: called before any API call. */
  assert(): void {
    if (this.problems.length > 0) throw new CasError("InvalidConfig", this.problems.join("; "));
  }

  /**
   * What each `check` reports when a setting is wrong: a failure of no property (the engine prints it
   * as the resource's problem, without a stack trace).
   */
  failure(): { property: string; reason: string } | undefined {
    // The code in front, as errors leaving the provider show theirs (docs/troubleshooting.md).
    if (this.problems.length === 0) return undefined;
    return { property: "", reason: `[InvalidConfig] ${this.problems.join("; ")}` };
  }

  /** The parsed value of `key`, or `fallback` when it is bad (a bad value is reported by check and before any API call). */
  orDefault<K extends SettingKey>(key: K, fallback: ReturnType<Schema[K]>): ReturnType<Schema[K]> {
    try {
      return this.get(key);
    } catch {
      return fallback;
    }
  }

  /** A fresh deadline for one provider operation (`alicloud-cas:operationTimeoutSeconds` from `now`). */
  operationDeadline(now: number): Deadline {
    return Deadline.after(now, this.orDefault(TIMEOUT_KEY, DEFAULT_OPERATION_TIMEOUT_MS), TIMEOUT_KEY);
  }

  /** `alicloud-cas:qps` as a cap on every action's client-side rate (documented limits stay lower where they are). */
  rateLimits(): Partial<Record<ActionName, number>> | undefined {
    const qps = this.get(QPS_KEY);
    if (qps === undefined) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ACTIONS, defaultQps } = require("../cas/actions") as typeof import("../cas/actions");
    return Object.fromEntries(
      (Object.keys(ACTIONS) as ActionName[]).map((a) => [a, Math.min(defaultQps(a), qps)]),
    );
  }
}
