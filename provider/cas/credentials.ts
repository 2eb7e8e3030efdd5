import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_ECS_METADATA_ENDPOINT,
  ecsRoleSession,
  oidcSession,
  roleSession,
  uriSession,
} from "./credential-sessions";
import { CasCredentialsError, CasError } from "./errors";
import { externalSession } from "./external-credentials";
import { cloudSsoSession } from "./cloud-sso-credentials";
import { OAUTH_ENDPOINT_KEY, oauthProfileFields, oauthSession } from "./oauth-credentials";
import { DEFAULT_STS_ENDPOINT, StsClient } from "./sts-client";
import type { ConfigLookup, CredentialProvider, Credentials } from "./credential-types";
import {
  assumeRoleSetting,
  checkArn,
  DEFAULT_SESSION_NAME,
  OIDC_KEY,
  OIDC_PROVIDER_ARN,
  oidcRequest,
  ROLE_ARN,
  seconds,
} from "./credential-settings";

export type { ConfigLookup, CredentialProvider, Credentials } from "./credential-types";

/** A provider that always gives `credentials` (explicit credentials of a client). */
export function fixedCredentials(credentials: Credentials): CredentialProvider {
  return {
    current: () => Promise.resolve(credentials),
    refresh: () => Promise.resolve(false),
    source: credentials.source,
    temporary: Boolean(credentials.securityToken),
    peek: () => credentials,
  };
}

/** Everything credential resolution may read; all injectable for tests. */
export interface CredentialSources {
  explicit?: {
    accessKeyId?: string | undefined;
    accessKeySecret?: string | undefined;
    securityToken?: string | undefined;
  };
  config?: ConfigLookup | undefined;
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Path of the Aliyun CLI config; default `~/.aliyun/config.json`. */
  profileFile?: string | undefined;
  /** The STS that role and OIDC sessions are asked from; default `https://sts.aliyuncs.com`, direct. */
  sts?: StsClient | undefined;
  /** The ECS metadata service; default `alicloud-cas:ecsMetadataEndpoint`, else `http://100.100.100.200`. */
  ecsMetadataEndpoint?: string | undefined;
  now?: (() => number) | undefined;
}

/** The stack config key of the ECS metadata service's address (tests, and platforms that move it). */
const ECS_METADATA_ENDPOINT_KEY = "alicloud-cas:ecsMetadataEndpoint";

const ENV_SETS = [
  ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"],
  ["ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"],
] as const;

/** A source found: fixed credentials, or a provider that obtains and renews them. */
type Found =
  | { kind: "static"; creds: Credentials }
  | { kind: "session"; provider: CredentialProvider; file?: string | undefined };

/**
 * The chain as a {@link CredentialProvider}: resolved now (so a missing or wrong setting fails at
 * once, listing every place looked or naming the property), again when the profile file in use
 * changes, and when an expired-token answer asks for it. A profile file caught mid-write (not JSON
 * yet) keeps the credentials read before.
 */
export function credentialChain(src: CredentialSources = {}): CredentialProvider {
  let found = resolveSource(src);
  let file = fileOf(found);
  let stamp = file ? mtime(file) : undefined;
  const reread = (): void => {
    try {
      found = resolveSource(src);
      file = fileOf(found);
      stamp = file ? mtime(file) : undefined;
    } catch {
      // Kept: the file may be mid-write; the next request reads it again.
    }
  };
  return {
    get source() {
      return found.kind === "static" ? found.creds.source : found.provider.source;
    },
    get temporary() {
      return found.kind === "static" ? Boolean(found.creds.securityToken) : found.provider.temporary;
    },
    async current() {
      if (file && mtime(file) !== stamp) reread();
      return found.kind === "static" ? found.creds : found.provider.current();
    },
    async refresh() {
      // A session from config or the environment: a new one from its source.
      if (found.kind === "session" && !found.file) return found.provider.refresh();
      const before = found;
      reread();
      if (found.kind === "static")
        return (
          before.kind !== "static" ||
          found.creds.accessKeyId !== before.creds.accessKeyId ||
          found.creds.accessKeySecret !== before.creds.accessKeySecret ||
          found.creds.securityToken !== before.creds.securityToken
        );
      // The file could not be read again (mid-write), or reading it found the same session (an OAuth
      // session that wrote its rotated tokens there): a new session from the same settings.
      if (found === before || (before.kind === "session" && found.provider === before.provider))
        return found.provider.refresh();
      // The file was read again: a new session is obtained at the next request.
      return true;
    },
    peek() {
      return found.kind === "static" ? found.creds : undefined;
    },
  };
}

function fileOf(found: Found): string | undefined {
  return found.kind === "static" ? found.creds.file : found.file;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Resolves fixed credentials (an access key, or one with an STS token) by the chain of
 * {@link credentialChain}; a chain that ends in a role, OIDC, ECS-role or credentials-URI source
 * needs a request to obtain them, and fails here naming it (use {@link credentialChain}).
 */
export function resolveCredentials(src: CredentialSources = {}): Credentials {
  const found = resolveSource(src);
  if (found.kind === "static") return found.creds;
  throw new CasError(
    "CredentialsNeedRequest",
    `the credentials come from ${found.provider.source}, which gives them only through a request; use credentialChain(…).current()`,
  );
}

/**
 * The chain, in this order (the first source that is set wins):
 * 1. explicit client options;
 * 2. stack config `alicloud:assumeRoleWithOidc`;
 * 3. stack config `alicloud:accessKey` / `alicloud:secretKey` / `alicloud:securityToken`;
 * 4. stack config `alicloud:ecsRoleName`, then `alicloud:credentialsUri`;
 * 5. environment `ALIBABA_CLOUD_ACCESS_KEY_ID`… then `ALICLOUD_ACCESS_KEY`…;
 * 6. environment `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` + `ALIBABA_CLOUD_OIDC_TOKEN_FILE` + `ALIBABA_CLOUD_ROLE_ARN`;
 * 7. the Aliyun CLI profile file (modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole,
 *    OIDC, CredentialsURI, External, CloudSSO, OAuth);
 * 8. environment `ALIBABA_CLOUD_ECS_METADATA` / `ALICLOUD_ECS_ROLE_NAME`, then
 *    `ALIBABA_CLOUD_CREDENTIALS_URI` / `ALICLOUD_CREDENTIALS_URI`.
 * Then `alicloud:assumeRole` (or `ALICLOUD_ASSUME_ROLE_ARN`), when set, assumes that role with what
 * the chain found. Throws one error naming every place that was looked at.
 */
function resolveSource(src: CredentialSources): Found {
  const env = src.env ?? process.env;
  const looked: string[] = [];
  const base = resolveBase(src, env, looked);
  const role = assumeRoleSetting(src.config, env);
  if (!base) {
    throw new CasCredentialsError(
      `No Alibaba Cloud credentials found${role ? ` to assume ${role.request.roleArn} with (${role.setting})` : ""}. Looked at: ${looked.join("; ")}. ` +
        "Set `pulumi config set alicloud:accessKey <id>` and `pulumi config set --secret alicloud:secretKey <secret>`, " +
        "or export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; in CI without stored keys, " +
        "set alicloud:assumeRoleWithOidc (see docs/credentials.md).",
    );
  }
  if (!role) return base;
  const baseProvider = base.kind === "static" ? fixedCredentials(base.creds) : base.provider;
  return {
    kind: "session",
    provider: roleSession(stsOf(src), baseProvider, role.request, role.setting, src.now),
    file: fileOf(base),
  };
}

function stsOf(src: CredentialSources): StsClient {
  return (
    src.sts ??
    new StsClient({ endpoint: new URL(DEFAULT_STS_ENDPOINT), source: "the default", proxy: {}, route: "" })
  );
}

function metadataOf(src: CredentialSources): string {
  return src.ecsMetadataEndpoint ?? src.config?.(ECS_METADATA_ENDPOINT_KEY) ?? DEFAULT_ECS_METADATA_ENDPOINT;
}

function resolveBase(
  src: CredentialSources,
  env: Readonly<Record<string, string | undefined>>,
  looked: string[],
): Found | undefined {
  const pick = (
    id: string | undefined,
    secret: string | undefined,
    token: string | undefined,
    source: string,
  ): Found | undefined => {
    looked.push(source);
    if (id && secret)
      return {
        kind: "static",
        creds: { accessKeyId: id, accessKeySecret: secret, securityToken: token || undefined, source },
      };
    if (id || secret)
      throw new CasCredentialsError(
        `${source}: found ${id ? "an access key id" : "a secret"} but not ${id ? "its secret" : "the access key id"}; set both.`,
      );
    return undefined;
  };
  const e = src.explicit;
  const cfg = (k: string) => {
    const v = src.config?.(k);
    return v === undefined || v === "" ? undefined : v;
  };
  const envOf = (...names: string[]) => {
    for (const n of names) if (env[n] !== undefined && env[n] !== "") return [n, env[n]] as const;
    return undefined;
  };
  return (
    pick(e?.accessKeyId, e?.accessKeySecret, e?.securityToken, "explicit client options") ??
    oidcFromConfig(src, env, looked) ??
    pick(
      cfg("alicloud:accessKey"),
      cfg("alicloud:secretKey"),
      cfg("alicloud:securityToken"),
      "stack config alicloud:accessKey / alicloud:secretKey",
    ) ??
    (() => {
      looked.push("stack config alicloud:ecsRoleName");
      const role = cfg("alicloud:ecsRoleName");
      if (role === undefined) return undefined;
      return session(
        ecsRoleSession(metadataOf(src), role, "stack config alicloud:ecsRoleName", imdsV1Off(env), src.now),
      );
    })() ??
    (() => {
      looked.push("stack config alicloud:credentialsUri");
      const uri = cfg("alicloud:credentialsUri");
      return uri === undefined
        ? undefined
        : session(uriSession(uri, "stack config alicloud:credentialsUri", src.now, insecureAllowed(src)));
    })() ??
    ENV_SETS.reduce<Found | undefined>(
      (acc, [id, secret, token]) =>
        acc ?? pick(env[id], env[secret], env[token], `environment ${id} / ${secret}`),
      undefined,
    ) ??
    oidcFromEnv(src, env, looked) ??
    fromProfile(src, env, looked) ??
    (() => {
      looked.push("environment ALIBABA_CLOUD_ECS_METADATA / ALICLOUD_ECS_ROLE_NAME");
      const role = envOf("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME");
      if (!role || env.ALIBABA_CLOUD_ECS_METADATA_DISABLED?.toLowerCase() === "true") return undefined;
      return session(
        ecsRoleSession(metadataOf(src), role[1], `environment ${role[0]}`, imdsV1Off(env), src.now),
      );
    })() ??
    (() => {
      looked.push("environment ALIBABA_CLOUD_CREDENTIALS_URI / ALICLOUD_CREDENTIALS_URI");
      const uri = envOf("ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI");
      return uri
        ? session(uriSession(uri[1], `environment ${uri[0]}`, src.now, insecureAllowed(src)))
        : undefined;
    })()
  );
}

function session(provider: CredentialProvider, file?: string): Found {
  return { kind: "session", provider, ...(file ? { file } : {}) };
}

function imdsV1Off(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.ALIBABA_CLOUD_IMDSV1_DISABLED?.toLowerCase() === "true";
}

/** `alicloud:assumeRoleWithOidc`, its missing fields from the `ALIBABA_CLOUD_*` OIDC variables. */
function oidcFromConfig(
  src: CredentialSources,
  env: Readonly<Record<string, string | undefined>>,
  looked: string[],
): Found | undefined {
  looked.push(`stack config ${OIDC_KEY}`);
  const raw = src.config?.(OIDC_KEY);
  if (!raw) return undefined;
  return session(oidcSession(stsOf(src), oidcRequest(raw, env), `stack config ${OIDC_KEY}`, src.now));
}

const OIDC_ENV = [
  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
  "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
  "ALIBABA_CLOUD_ROLE_ARN",
] as const;

/** The Alibaba chain's OIDC variables: all three together, or an error naming the missing ones. */
function oidcFromEnv(
  src: CredentialSources,
  env: Readonly<Record<string, string | undefined>>,
  looked: string[],
): Found | undefined {
  looked.push(`environment ${OIDC_ENV.join(" + ")}`);
  const set = OIDC_ENV.filter((n) => env[n]);
  if (set.length === 0) return undefined;
  // ALIBABA_CLOUD_ROLE_ARN alone is also @pulumi/alicloud's default for the OIDC role: not an OIDC set.
  if (set.length === 1 && set[0] === "ALIBABA_CLOUD_ROLE_ARN") return undefined;
  if (set.length < OIDC_ENV.length)
    throw new CasCredentialsError(
      `environment ${set.join(", ")} set but not ${OIDC_ENV.filter((n) => !env[n]).join(", ")}: an OIDC role session needs all three. Set the missing ones, or unset these.`,
    );
  const setting = `environment ${OIDC_ENV.join(" + ")}`;
  return session(
    oidcSession(
      stsOf(src),
      {
        oidcProviderArn: checkArn(
          env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN!,
          OIDC_PROVIDER_ARN,
          "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
          "an OIDC provider ARN (acs:ram::<account id>:oidc-provider/<name>)",
        ),
        roleArn: checkArn(
          env.ALIBABA_CLOUD_ROLE_ARN!,
          ROLE_ARN,
          "ALIBABA_CLOUD_ROLE_ARN",
          "a role ARN (acs:ram::<account id>:role/<name>)",
        ),
        oidcTokenFile: env.ALIBABA_CLOUD_OIDC_TOKEN_FILE!,
        sessionName: env.ALIBABA_CLOUD_ROLE_SESSION_NAME || DEFAULT_SESSION_NAME,
      },
      setting,
      src.now,
    ),
  );
}

const profileSchema = (p: unknown): p is Record<string, unknown> => typeof p === "object" && p !== null;

const PROFILE_MODES = [
  "AK",
  "StsToken",
  "RamRoleArn",
  "ChainableRamRoleArn",
  "EcsRamRole",
  "OIDC",
  "CredentialsURI",
  "External",
  "CloudSSO",
  "OAuth",
];

/** `alicloud-cas:allowInsecureEndpoint` is `true` (a credentials URI over plain http:// to another host). */
function insecureAllowed(src: CredentialSources): boolean {
  return src.config?.("alicloud-cas:allowInsecureEndpoint")?.trim() === "true";
}

function fromProfile(
  src: CredentialSources,
  env: Readonly<Record<string, string | undefined>>,
  looked: string[],
): Found | undefined {
  // `alicloud:sharedCredentialsFile` / ALICLOUD_SHARED_CREDENTIALS_FILE, as @pulumi/alicloud reads them.
  const shared = src.config?.("alicloud:sharedCredentialsFile") || env.ALICLOUD_SHARED_CREDENTIALS_FILE;
  const file =
    src.profileFile ??
    (shared ? shared.replace(/^~(?=\/|$)/, homedir()) : join(homedir(), ".aliyun", "config.json"));
  looked.push(`Aliyun CLI profile file ${file}`);
  let textContent: string;
  try {
    textContent = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(textContent);
  } catch {
    throw new CasCredentialsError(`${file} is not valid JSON; fix or remove it.`);
  }
  if (!profileSchema(doc) || !Array.isArray(doc.profiles)) return undefined;
  const wanted =
    src.config?.("alicloud:profile") ?? env.ALIBABA_CLOUD_PROFILE ?? env.ALICLOUD_PROFILE ?? doc.current;
  const profiles = doc.profiles as unknown[];
  const named = (name: unknown) => profiles.find((p: unknown) => profileSchema(p) && p.name === name);
  if (!profileSchema(named(wanted))) {
    if (wanted && wanted !== doc.current)
      throw new CasCredentialsError(`${file} has no profile named "${wanted}".`);
    return undefined;
  }
  return profileSource(src, file, named, String(wanted), []);
}

/** One profile by its mode; `ChainableRamRoleArn` resolves its `source_profile` first (cycles refused). */
function profileSource(
  src: CredentialSources,
  file: string,
  named: (name: unknown) => unknown,
  name: string,
  chain: string[],
): Found {
  const profile = named(name) as Record<string, unknown>;
  const where = `profile "${name}" in ${file}`;
  const str = (k: string) => (typeof profile[k] === "string" && profile[k] !== "" ? profile[k] : undefined);
  const needs = (k: string) => {
    const v = str(k);
    if (v) return v;
    throw new CasCredentialsError(
      `${file} profile "${name}" (mode ${String(profile.mode)}) lacks ${k}; set it (aliyun configure --profile ${name}).`,
    );
  };
  const duration = (): number | undefined => {
    const v = profile.expired_seconds;
    return v === undefined || v === 0 || v === "" ? undefined : seconds(v, `${where} expired_seconds`);
  };
  const mode = String(profile.mode ?? "AK");
  const withFile = (found: Found): Found =>
    found.kind === "static" ? { kind: "static", creds: { ...found.creds, file } } : { ...found, file };
  switch (mode) {
    case "AK":
    case "StsToken": {
      const id = str("access_key_id");
      const secret = str("access_key_secret");
      if (!id || !secret)
        throw new CasCredentialsError(`${file} profile "${name}" lacks access_key_id or access_key_secret.`);
      return withFile({
        kind: "static",
        creds: {
          accessKeyId: id,
          accessKeySecret: secret,
          securityToken: mode === "StsToken" ? str("sts_token") : undefined,
          source: where,
        },
      });
    }
    case "RamRoleArn":
    case "ChainableRamRoleArn": {
      let base: CredentialProvider;
      if (mode === "RamRoleArn") {
        base = fixedCredentials({
          accessKeyId: needs("access_key_id"),
          accessKeySecret: needs("access_key_secret"),
          securityToken: str("sts_token"),
          source: where,
        });
      } else {
        const from = needs("source_profile");
        if (from === name || chain.includes(from))
          throw new CasCredentialsError(
            `${file} profile "${name}": source_profile "${from}" leads back to itself (${[...chain, name, from].join(" → ")}); point it at a profile with keys.`,
          );
        if (!profileSchema(named(from)))
          throw new CasCredentialsError(
            `${file} profile "${name}": source_profile "${from}" is not a profile in the file.`,
          );
        const found = profileSource(src, file, named, from, [...chain, name]);
        base = found.kind === "static" ? fixedCredentials(found.creds) : found.provider;
      }
      return withFile(
        session(
          roleSession(
            stsOf(src),
            base,
            {
              roleArn: checkArn(
                needs("ram_role_arn"),
                ROLE_ARN,
                `${where} ram_role_arn`,
                "a role ARN (acs:ram::<account id>:role/<name>)",
              ),
              sessionName: str("ram_session_name") ?? DEFAULT_SESSION_NAME,
              durationSeconds: duration(),
              externalId: str("external_id"),
              policy: str("policy"),
            },
            where,
            src.now,
          ),
        ),
      );
    }
    case "EcsRamRole":
      return withFile(
        session(
          ecsRoleSession(
            metadataOf(src),
            str("ram_role_name"),
            where,
            imdsV1Off(src.env ?? process.env),
            src.now,
          ),
        ),
      );
    case "OIDC":
      return withFile(
        session(
          oidcSession(
            stsOf(src),
            {
              oidcProviderArn: checkArn(
                needs("oidc_provider_arn"),
                OIDC_PROVIDER_ARN,
                `${where} oidc_provider_arn`,
                "an OIDC provider ARN (acs:ram::<account id>:oidc-provider/<name>)",
              ),
              roleArn: checkArn(
                needs("ram_role_arn"),
                ROLE_ARN,
                `${where} ram_role_arn`,
                "a role ARN (acs:ram::<account id>:role/<name>)",
              ),
              oidcTokenFile: needs("oidc_token_file"),
              sessionName: str("ram_session_name") ?? DEFAULT_SESSION_NAME,
              durationSeconds: duration(),
            },
            where,
            src.now,
          ),
        ),
      );
    case "CredentialsURI":
      return withFile(session(uriSession(needs("credentials_uri"), where, src.now, insecureAllowed(src))));
    case "CloudSSO": {
      const expire = Number(profile.cloud_sso_access_token_expire);
      return withFile(
        session(
          cloudSsoSession(
            {
              signInUrl: needs("cloud_sso_sign_in_url"),
              accessToken: str("access_token"),
              accessTokenExpire: Number.isFinite(expire) && expire > 0 ? expire : undefined,
              accountId: needs("cloud_sso_account_id"),
              accessConfig: needs("cloud_sso_access_config"),
            },
            name,
            where,
            src.now,
            insecureAllowed(src),
          ),
        ),
      );
    }
    case "OAuth":
      return withFile(
        session(
          oauthSession(
            { siteType: needs("oauth_site_type"), ...oauthProfileFields(profile) },
            name,
            file,
            where,
            src.now,
            src.config?.(OAUTH_ENDPOINT_KEY)?.trim() || undefined,
            insecureAllowed(src),
          ),
        ),
      );
    case "External":
      // The command runs with this process's environment, as the Aliyun CLI runs it.
      return withFile(
        session(externalSession(needs("process_command"), where, src.now, src.env ?? process.env)),
      );
    default:
      throw new CasCredentialsError(
        `${file} profile "${name}" uses mode ${mode}; the supported modes are ${PROFILE_MODES.join(", ")}. ` +
          "Use one of them, or set the credentials in stack config or the environment.",
      );
  }
}
