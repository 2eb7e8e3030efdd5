/**
 * The credential settings that are structured config (`alicloud:assumeRole`,
 * `alicloud:assumeRoleWithOidc`) and the value rules the credential chain shares (ARNs, session
 * lengths), parsed without reading a file or asking STS: so `configure` can check them (settings.ts)
 * without loading the chain.
 * @packageDocumentation
 */
import { CasError } from "./errors";
import type { ConfigLookup } from "./credential-types";
import type { RoleRequest } from "./sts-client";

/** A structured config value (a JSON object) with only `allowed` keys, or an error naming the key and the fix. */
function structured(raw: string, key: string, allowed: readonly string[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 1) parsed = parsed[0];
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new CasError(
      "InvalidConfig",
      `${key} is not an object; set it as structured config: pulumi config set --path '${key}.roleArn' acs:ram::<account id>:role/<name> (its fields: ${allowed.join(", ")})`,
    );
  for (const k of Object.keys(parsed))
    if (!allowed.includes(k))
      throw new CasError(
        "InvalidConfig",
        `${key}.${k} is not a field of ${key}; its fields are ${allowed.join(", ")} (as @pulumi/alicloud names them). Remove or rename it.`,
      );
  return parsed as Record<string, unknown>;
}

function text(o: Record<string, unknown>, k: string, key: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string")
    throw new CasError(
      "InvalidConfig",
      `${key}.${k} must be a string; set pulumi config set --path '${key}.${k}' <value>`,
    );
  return v;
}

/** A session length in seconds (900 to 43200, as STS allows), or an error naming the setting. */
export function seconds(v: unknown, setting: string): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n) || n < 900 || n > 43_200)
    throw new CasError(
      "InvalidConfig",
      `${setting} is ${JSON.stringify(v)}; a session lasts 900 to 43200 seconds (up to the role's maximum session duration). Set a whole number of seconds in that range, or remove it for STS's default of 3600.`,
    );
  return n;
}

export const ROLE_ARN = /^acs:ram::\d+:role\/.+$/;
export const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/.+$/;

export function checkArn(value: string, pattern: RegExp, setting: string, form: string): string {
  if (!pattern.test(value))
    throw new CasError(
      "InvalidConfig",
      // A value that is not even ARN-shaped may be a token or key pasted into the wrong field of a
      // secret object: it is described, never shown.
      `${setting} is ${value.startsWith("acs:") ? JSON.stringify(value.slice(0, 120)) : `${value.length} characters not starting with "acs:" (not shown: it may be a secret in the wrong field)`}, which is not ${form}; copy the ARN from the RAM console.`,
    );
  return value;
}

const ASSUME_ROLE_KEY = "alicloud:assumeRole";
const ASSUME_ROLE_FIELDS = ["roleArn", "sessionName", "sessionExpiration", "externalId", "policy"] as const;

/** `alicloud:assumeRole` (fields missing there from `ALICLOUD_ASSUME_ROLE_*`), or `ALICLOUD_ASSUME_ROLE_ARN` alone. */
export function assumeRoleSetting(
  config: ConfigLookup | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { request: RoleRequest; setting: string } | undefined {
  const raw = config?.(ASSUME_ROLE_KEY);
  const o = raw ? structured(raw, ASSUME_ROLE_KEY, ASSUME_ROLE_FIELDS) : undefined;
  const envArn = env.ALICLOUD_ASSUME_ROLE_ARN || undefined;
  if (!o && !envArn) return undefined;
  const setting = o ? `stack config ${ASSUME_ROLE_KEY}` : "environment ALICLOUD_ASSUME_ROLE_ARN";
  const roleArn = (o && text(o, "roleArn", ASSUME_ROLE_KEY)) ?? envArn;
  if (!roleArn)
    throw new CasError(
      "InvalidConfig",
      `${ASSUME_ROLE_KEY} has no roleArn; set pulumi config set --path '${ASSUME_ROLE_KEY}.roleArn' acs:ram::<account id>:role/<name> (or ALICLOUD_ASSUME_ROLE_ARN), or remove ${ASSUME_ROLE_KEY}.`,
    );
  return {
    setting,
    request: {
      roleArn: checkArn(
        roleArn,
        ROLE_ARN,
        `${setting} roleArn`,
        "a role ARN (acs:ram::<account id>:role/<name>)",
      ),
      sessionName:
        (o && text(o, "sessionName", ASSUME_ROLE_KEY)) ??
        (env.ALICLOUD_ASSUME_ROLE_SESSION_NAME || undefined) ??
        DEFAULT_SESSION_NAME,
      durationSeconds: seconds(
        o?.sessionExpiration ?? (env.ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION || undefined),
        o?.sessionExpiration !== undefined
          ? `${ASSUME_ROLE_KEY}.sessionExpiration`
          : "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION",
      ),
      externalId: o && text(o, "externalId", ASSUME_ROLE_KEY),
      policy: o && text(o, "policy", ASSUME_ROLE_KEY),
    },
  };
}

/**
 * The structured credential settings (`alicloud:assumeRole`, `alicloud:assumeRoleWithOidc`) checked
 * without asking STS for anything: a mistyped or wrongly typed field, found when `configure` runs, so
 * `check` reports it at preview rather than the first API call at `up`.
 */
export function credentialSettingProblems(
  config: ConfigLookup,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  const problems: string[] = [];
  const collect = (parse: () => unknown) => {
    try {
      parse();
    } catch (e) {
      if (!(e instanceof CasError)) throw e;
      problems.push(e.message);
    }
  };
  collect(() => assumeRoleSetting(config, env));
  collect(() => {
    const raw = config(OIDC_KEY);
    if (raw) oidcRequest(raw, env);
  });
  return problems;
}

/** The session name when none is set. */
export const DEFAULT_SESSION_NAME = "pulumi-alicloud-cas";

export const OIDC_KEY = "alicloud:assumeRoleWithOidc";
const OIDC_FIELDS = [
  "oidcProviderArn",
  "oidcToken",
  "oidcTokenFile",
  "roleArn",
  "roleSessionName",
  "sessionExpiration",
  "policy",
] as const;

/** The role request `alicloud:assumeRoleWithOidc` (`raw`) asks for, or an error naming the field and the fix. */
export function oidcRequest(raw: string, env: Readonly<Record<string, string | undefined>>) {
  const o = structured(raw, OIDC_KEY, OIDC_FIELDS);
  const need = (field: string, value: string | undefined, envName: string, example: string) => {
    if (value) return value;
    throw new CasError(
      "InvalidConfig",
      `${OIDC_KEY} has no ${field}; set pulumi config set --path '${OIDC_KEY}.${field}' ${example} (or ${envName}).`,
    );
  };
  const token = text(o, "oidcToken", OIDC_KEY);
  const tokenFile =
    text(o, "oidcTokenFile", OIDC_KEY) ??
    (token ? undefined : env.ALIBABA_CLOUD_OIDC_TOKEN_FILE || undefined);
  if (!token && !tokenFile)
    throw new CasError(
      "InvalidConfig",
      `${OIDC_KEY} has neither oidcToken nor oidcTokenFile; set pulumi config set --path '${OIDC_KEY}.oidcTokenFile' <file the platform writes the token to> (or ALIBABA_CLOUD_OIDC_TOKEN_FILE), or oidcToken (--secret).`,
    );
  return {
    oidcProviderArn: checkArn(
      need(
        "oidcProviderArn",
        text(o, "oidcProviderArn", OIDC_KEY) ?? (env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN || undefined),
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "acs:ram::<account id>:oidc-provider/<name>",
      ),
      OIDC_PROVIDER_ARN,
      `${OIDC_KEY}.oidcProviderArn`,
      "an OIDC provider ARN (acs:ram::<account id>:oidc-provider/<name>)",
    ),
    roleArn: checkArn(
      need(
        "roleArn",
        text(o, "roleArn", OIDC_KEY) ?? (env.ALIBABA_CLOUD_ROLE_ARN || undefined),
        "ALIBABA_CLOUD_ROLE_ARN",
        "acs:ram::<account id>:role/<name>",
      ),
      ROLE_ARN,
      `${OIDC_KEY}.roleArn`,
      "a role ARN (acs:ram::<account id>:role/<name>)",
    ),
    oidcToken: token,
    oidcTokenFile: token ? undefined : tokenFile,
    sessionName:
      text(o, "roleSessionName", OIDC_KEY) ??
      (env.ALIBABA_CLOUD_ROLE_SESSION_NAME || undefined) ??
      DEFAULT_SESSION_NAME,
    durationSeconds: seconds(o.sessionExpiration, `${OIDC_KEY}.sessionExpiration`),
    policy: text(o, "policy", OIDC_KEY),
  };
}
