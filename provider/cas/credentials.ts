import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CasCredentialsError } from "./errors";

/** An access key, optionally with an STS token. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Where they came from, for messages (never the values). */
  source: string;
  /** The profile file they were read from, when they came from one (it is read again when it changes). */
  file?: string;
}

/**
 * Credentials taken per request: {@link current} before each one, {@link refresh} after an answer
 * that says the STS token expired. A profile file is read again when it changes (the Aliyun CLI or
 * a sidecar writes a fresh token there), so a long wait outlives any number of token rotations.
 */
export interface CredentialProvider {
  /** The credentials to sign the next request with. */
  current(): Credentials;
  /**
   * Reads the sources again (a profile file even when its modification time did not change);
   * `true` when they now give other credentials, so the refused request is worth sending again.
   */
  refresh(): boolean;
}

/** A provider that always gives `credentials` (explicit credentials of a client). */
export function fixedCredentials(credentials: Credentials): CredentialProvider {
  return { current: () => credentials, refresh: () => false };
}

/**
 * The chain of {@link resolveCredentials} as a {@link CredentialProvider}: resolved now (so a
 * missing credential fails at once, listing every place looked), and again when the profile file
 * in use changes or an expired-token answer asks for it. A profile file caught mid-write (not JSON
 * yet) keeps the credentials read before.
 */
export function credentialChain(src: CredentialSources = {}): CredentialProvider {
  let creds = resolveCredentials(src);
  let stamp = creds.file ? mtime(creds.file) : undefined;
  const reread = (): void => {
    try {
      const next = resolveCredentials(src);
      creds = next;
      stamp = next.file ? mtime(next.file) : undefined;
    } catch {
      // Kept: the file may be mid-write; the next request reads it again.
    }
  };
  return {
    current() {
      if (creds.file && mtime(creds.file) !== stamp) reread();
      return creds;
    },
    refresh() {
      const before = creds;
      reread();
      return (
        creds.accessKeyId !== before.accessKeyId ||
        creds.accessKeySecret !== before.accessKeySecret ||
        creds.securityToken !== before.securityToken
      );
    },
  };
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A flat view of Pulumi stack config (`alicloud:accessKey` → value), as `configure` sees it. */
export type ConfigLookup = (key: string) => string | undefined;

/** Everything credential resolution may read; all injectable for tests. */
export interface CredentialSources {
  explicit?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  config?: ConfigLookup;
  env?: Readonly<Record<string, string | undefined>>;
  /** Path of the Aliyun CLI config; default `~/.aliyun/config.json`. */
  profileFile?: string;
}

const ENV_SETS = [
  ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"],
  ["ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"],
] as const;

/**
 * Resolves credentials in this order: explicit options; stack config `alicloud:accessKey` /
 * `alicloud:secretKey` / `alicloud:securityToken`; environment `ALIBABA_CLOUD_ACCESS_KEY_ID` /
 * `_SECRET` / `_SECURITY_TOKEN`, then `ALICLOUD_ACCESS_KEY` / `ALICLOUD_SECRET_KEY` /
 * `ALICLOUD_SECURITY_TOKEN`; the Aliyun CLI profile file (modes `AK` and `StsToken`; profile from
 * `alicloud:profile`, `ALIBABA_CLOUD_PROFILE`, `ALICLOUD_PROFILE`, else the file's `current`).
 * Throws one error naming every place that was looked at.
 */
export function resolveCredentials(src: CredentialSources = {}): Credentials {
  const env = src.env ?? process.env;
  const looked: string[] = [];
  const pick = (
    id: string | undefined,
    secret: string | undefined,
    token: string | undefined,
    source: string,
  ) => {
    looked.push(source);
    if (id && secret)
      return { accessKeyId: id, accessKeySecret: secret, securityToken: token || undefined, source };
    if (id || secret)
      throw new CasCredentialsError(
        `${source}: found ${id ? "an access key id" : "a secret"} but not ${id ? "its secret" : "the access key id"}; set both.`,
      );
    return undefined;
  };

  const e = src.explicit;
  const found =
    pick(e?.accessKeyId, e?.accessKeySecret, e?.securityToken, "explicit client options") ??
    pick(
      src.config?.("alicloud:accessKey"),
      src.config?.("alicloud:secretKey"),
      src.config?.("alicloud:securityToken"),
      "stack config alicloud:accessKey / alicloud:secretKey",
    ) ??
    ENV_SETS.reduce<Credentials | undefined>(
      (acc, [id, secret, token]) =>
        acc ?? pick(env[id], env[secret], env[token], `environment ${id} / ${secret}`),
      undefined,
    ) ??
    fromProfile(src, env, looked);
  if (found) return found;
  throw new CasCredentialsError(
    `No Alibaba Cloud credentials found. Looked at: ${looked.join("; ")}. ` +
      "Set `pulumi config set alicloud:accessKey <id>` and `pulumi config set --secret alicloud:secretKey <secret>`, " +
      "or export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET.",
  );
}

const profileSchema = (p: unknown): p is Record<string, unknown> => typeof p === "object" && p !== null;

function fromProfile(
  src: CredentialSources,
  env: Readonly<Record<string, string | undefined>>,
  looked: string[],
): Credentials | undefined {
  const file = src.profileFile ?? join(homedir(), ".aliyun", "config.json");
  looked.push(`Aliyun CLI profile file ${file}`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CasCredentialsError(`${file} is not valid JSON; fix or remove it.`);
  }
  if (!profileSchema(doc) || !Array.isArray(doc.profiles)) return undefined;
  const wanted =
    src.config?.("alicloud:profile") ?? env.ALIBABA_CLOUD_PROFILE ?? env.ALICLOUD_PROFILE ?? doc.current;
  const profile = doc.profiles.find((p: unknown) => profileSchema(p) && p.name === wanted);
  if (!profileSchema(profile)) {
    if (wanted && wanted !== doc.current)
      throw new CasCredentialsError(`${file} has no profile named "${wanted}".`);
    return undefined;
  }
  const mode = String(profile.mode ?? "AK");
  if (mode !== "AK" && mode !== "StsToken")
    throw new CasCredentialsError(
      `${file} profile "${wanted}" uses mode ${mode}; only AK and StsToken profiles are supported. ` +
        "Use an AK profile or set the credentials in the environment.",
    );
  const id = typeof profile.access_key_id === "string" ? profile.access_key_id : undefined;
  const secret = typeof profile.access_key_secret === "string" ? profile.access_key_secret : undefined;
  const token = mode === "StsToken" && typeof profile.sts_token === "string" ? profile.sts_token : undefined;
  if (!id || !secret)
    throw new CasCredentialsError(`${file} profile "${wanted}" lacks access_key_id or access_key_secret.`);
  return {
    accessKeyId: id,
    accessKeySecret: secret,
    securityToken: token,
    source: `profile "${wanted}" in ${file}`,
    file,
  };
}
