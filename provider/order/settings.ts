import type { ActionName } from "../cas/actions";
import type { CasClient } from "../cas/client";
import type { ConfigLookup } from "../cas/credentials";
import { Deadline, DEFAULT_OPERATION_TIMEOUT_MS } from "../cas/deadline";
import { CasError } from "../cas/errors";
import { bound } from "../cas/redact";
import { log } from "./log";

/**
 * Stack config as `configure` delivered it, for this provider process. Nothing here is ever
 * serialized into state: it lives only in the provider process.
 */
let config: ConfigLookup = () => undefined;
let cached: CasClient | undefined;

/** Called from the provider's `configure`. */
export function setConfig(lookup: ConfigLookup): void {
  config = lookup;
  cached = undefined;
  problems = [];
}

/** One stack config value as `configure` delivered it (e.g. `alicloud-cas:adoptAfterLostAnswer`). */
export function setting(key: string): string | undefined {
  return config(key);
}

/**
 * The process's client: stack config first, environment second (see docs/credentials.md). Built, and its modules loaded (the HTTP transport, every action's schemas), on the
 * first API call: a provider process whose first check makes none starts without them.
 */
export function client(): CasClient {
  assertSettings();
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CasClient } = require("../cas/client") as typeof import("../cas/client");
  cached = new CasClient({
    config,
    env: process.env,
    userAgent: "pulumi-alicloud-cas",
    accountPacing: true,
    signatureScheme: signatureSchemeSetting(),
    rateLimits: rateLimits(positiveSetting(QPS_KEY, "requests per second")),
    attemptTimeoutMs: positiveSetting(ATTEMPT_TIMEOUT_KEY, "milliseconds"),
    deadlineMs: operationTimeoutMs(),
    onEvent: (e) => {
      if (e.kind === "retry")
        log(`${e.action}: ${e.reason}, retrying in ${e.delayMs} ms (attempt ${e.attempt + 1})`);
    },
  });
  return cached;
}

const SCHEME_KEY = "alicloud-cas:signatureScheme";
const QPS_KEY = "alicloud-cas:qps";
const ATTEMPT_TIMEOUT_KEY = "alicloud-cas:attemptTimeoutMs";

/** `alicloud-cas:signatureScheme`: `acs3` (the default) or `rpc-v1`; anything else fails naming both. */
function signatureSchemeSetting(): "acs3" | "rpc-v1" {
  const raw = config(SCHEME_KEY);
  if (raw === undefined || raw.trim() === "" || raw.trim() === "acs3") return "acs3";
  if (raw.trim() === "rpc-v1") return "rpc-v1";
  throw invalidSetting(SCHEME_KEY, raw, 'is not a signature scheme; use "acs3" (the default) or "rpc-v1"');
}

/** A positive number setting, unset when absent; anything else fails naming the key and the unit. */
function positiveSetting(key: string, unit: string): number | undefined {
  const raw = config(key);
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw.trim());
  if (Number.isFinite(n) && n > 0) return n;
  throw invalidSetting(
    key,
    raw,
    `is not a positive number of ${unit}; set a number such as ${EXAMPLES[key] ?? "10"}, or remove it for the default`,
  );
}

const EXAMPLES: Record<string, string> = {
  [QPS_KEY]: "5",
  [ATTEMPT_TIMEOUT_KEY]: "10000",
  "alicloud-cas:operationTimeoutSeconds": "90",
};

function invalidSetting(key: string, raw: string, problem: string): CasError {
  return new CasError(
    "InvalidConfig",
    `${key}: ${JSON.stringify(bound(raw, 40))} ${problem} (pulumi config set ${key} <value>)`,
  );
}

/** Every `alicloud-cas:` stack setting the provider reads (docs/configuration in each page). */
export const SETTING_KEYS = [
  "alicloud-cas:adoptAfterLostAnswer",
  "alicloud-cas:allowInsecureEndpoint",
  ATTEMPT_TIMEOUT_KEY,
  "alicloud-cas:ecsMetadataEndpoint",
  "alicloud-cas:legacyOwnership",
  "alicloud-cas:lostAnswerGraceMs",
  "alicloud-cas:lostAnswerWindowSeconds",
  "alicloud-cas:operationTimeoutSeconds",
  "alicloud-cas:proxy",
  QPS_KEY,
  SCHEME_KEY,
] as const;

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
 * Stack settings that look like typos: an `alicloud-cas:` key the provider does not read (every key
 * of that namespace is this provider's), or an `alicloud:` key it reads spelled in another letter
 * case (`alicloud:secretkey`). Each names the key and what was probably meant.
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
    }
  }
  return problems;
}

/** The known key closest to `key` (same letters ignoring case, or at most 3 edits), if any. */
function nearest(key: string, candidates: readonly string[]): string | undefined {
  let best: [string, number] | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === key.toLowerCase() ? 0 : editDistance(c, key);
    if (d <= 3 && (!best || d < best[1])) best = [c, d];
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

let problems: string[] = [];

/**
 * Checks the stack settings `configure` delivered and remembers what is wrong, for
 * {@link assertSettings} to report: every mistyped key (see {@link misspelledSettings}; the
 * dynamic-provider host keeps the keys on the request's config as `rawConfig`) and every value the
 * client's settings or `validators` refuse. An error in `configure` itself would be reported once,
 * and the host would go on with the provider it had already cached.
 */
export function checkSettings(requestConfig: unknown, validators: ReadonlyArray<() => unknown> = []): void {
  const raw = (requestConfig as { rawConfig?: unknown } | undefined)?.rawConfig;
  const names = raw && typeof raw === "object" ? misspelledSettings(Object.keys(raw)) : [];
  problems =
    names.length > 0
      ? [
          `${names.join("; ")}. Fix the key with pulumi config rm <key> and pulumi config set <right key> <value>`,
        ]
      : [];
  const values = [
    signatureSchemeSetting,
    () => positiveSetting(QPS_KEY, "requests per second"),
    () => positiveSetting(ATTEMPT_TIMEOUT_KEY, "milliseconds"),
    operationTimeoutMs,
    () => {
      const endpoints =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("../cas/endpoints") as typeof import("../cas/endpoints");
      endpoints.resolveEndpointSource({ config, env: process.env });
      return endpoints.allowInsecureEndpointSetting(config);
    },
    ...validators,
  ];
  for (const validate of values)
    try {
      validate();
    } catch (e) {
      problems.push(e instanceof CasError ? e.message : String(e));
    }
}

/** Fails naming every setting {@link checkSettings} found wrong: called before any API call. */
export function assertSettings(): void {
  if (problems.length > 0) throw new CasError("InvalidConfig", problems.join("; "));
}

/**
 * What each `check` reports when {@link checkSettings} found a setting wrong: a failure of no
 * property (the engine prints it as the resource's problem, without a stack trace).
 */
export function settingsFailure(): { property: string; reason: string } | undefined {
  return problems.length > 0 ? { property: "", reason: problems.join("; ") } : undefined;
}

const TIMEOUT_KEY = "alicloud-cas:operationTimeoutSeconds";

/** `alicloud-cas:operationTimeoutSeconds` in ms (default 90 s): the limit for one operation's API calls. */
function operationTimeoutMs(): number {
  const seconds = positiveSetting(TIMEOUT_KEY, "seconds");
  return seconds === undefined ? DEFAULT_OPERATION_TIMEOUT_MS : seconds * 1000;
}

/** A fresh deadline for one provider operation (see `provider/cas/deadline.ts`). */
export function operationDeadline(): Deadline {
  // A bad value is reported by check and before any API call (checkSettings); the default stands in.
  let ms = DEFAULT_OPERATION_TIMEOUT_MS;
  try {
    ms = operationTimeoutMs();
  } catch {
    // reported elsewhere
  }
  return Deadline.after(Date.now(), ms, TIMEOUT_KEY);
}

/** `alicloud-cas:qps` caps every action's client-side rate (documented limits stay lower where they are). */
function rateLimits(qps: number | undefined): Partial<Record<ActionName, number>> | undefined {
  if (qps === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ACTIONS, defaultQps } = require("../cas/actions") as typeof import("../cas/actions");
  return Object.fromEntries(
    (Object.keys(ACTIONS) as ActionName[]).map((a) => [a, Math.min(defaultQps(a), qps)]),
  );
}
