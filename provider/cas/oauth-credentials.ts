// The Aliyun CLI's `OAuth` profile mode. `aliyun configure --mode OAuth` signs in through a browser
// and stores an OAuth access token and refresh token in the profile; keys are then exchanged for the
// access token, as aliyun-cli and credentials-go do: `POST <site>/v1/token` (form `grant_type=
// refresh_token`, `refresh_token`, `client_id`) when the access token is due, answered `{access_token,
// refresh_token, expires_in}`; then `POST <site>/v1/exchange` with `Authorization: Bearer
// <access_token>`, answered `{accessKeyId, accessKeySecret, securityToken, expiration}`. Each
// refresh gives a new refresh token, written back to the profile file (under a lock file, through a
// temporary file renamed over it) so that the next process or the CLI does not hold a spent one.
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { CasCredentialSourceError, describeCause } from "./errors";
import { sessionCredentials } from "./credential-sessions";
import { ALLOW_INSECURE_ENDPOINT_KEY, isLoopbackHost } from "./endpoints";
import { processTransport } from "./transport";
import type { CredentialProvider } from "./credential-types";

/** The sign-in sites and the CLI's OAuth client per `oauth_site_type` (aliyun-cli's config/configure.go). */
const OAUTH_SITES: Readonly<Record<string, { base: string; clientId: string }>> = {
  CN: { base: "https://oauth.aliyun.com", clientId: "4038181954557748008" },
  INTL: { base: "https://oauth.alibabacloud.com", clientId: "4103531455503354461" },
};

/** The stack config key that moves the OAuth site (tests against a loopback server). */
export const OAUTH_ENDPOINT_KEY = "alicloud-cas:oauthEndpoint";

/** An access token with less than this left is refreshed first (credentials-go's 1200 s). */
const ACCESS_TOKEN_MARGIN_S = 1200;
/** How long a process waits for another's lock on the profile file before giving up. */
const LOCK_WAIT_MS = 20_000;
/** A lock file older than this was left by a process that died holding it. */
const LOCK_STALE_MS = 60_000;

/** What an OAuth profile holds (its field names in the Aliyun CLI's config.json in comments). */
export interface OAuthProfile {
  /** `oauth_site_type`: `CN` or `INTL`. */
  siteType: string;
  /** `oauth_refresh_token` */
  refreshToken: string | undefined;
  /** `oauth_access_token` */
  accessToken: string | undefined;
  /** `oauth_access_token_expire`: seconds since the epoch. */
  accessTokenExpire: number | undefined;
}

/** The OAuth fields of profile `name` in the parsed file `doc`, or undefined when it is not one. */
function profileIn(doc: unknown, name: string): Record<string, unknown> | undefined {
  if (!doc || typeof doc !== "object") return undefined;
  const profiles = (doc as { profiles?: unknown }).profiles;
  if (!Array.isArray(profiles)) return undefined;
  const p: unknown = profiles.find(
    (x: unknown) => typeof x === "object" && x !== null && (x as { name?: unknown }).name === name,
  );
  return p && typeof p === "object" && (p as { mode?: unknown }).mode === "OAuth"
    ? (p as Record<string, unknown>)
    : undefined;
}

/** Reads the profile's OAuth fields as they are in `fields`. */
export function oauthProfileFields(fields: Record<string, unknown>): Omit<OAuthProfile, "siteType"> {
  const str = (k: string) => (typeof fields[k] === "string" && fields[k] !== "" ? fields[k] : undefined);
  const expire = Number(fields.oauth_access_token_expire);
  return {
    refreshToken: str("oauth_refresh_token"),
    accessToken: str("oauth_access_token"),
    accessTokenExpire: Number.isFinite(expire) && expire > 0 ? expire : undefined,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `body` holding `<file>.lock` (created with O_EXCL, mode 0600), waiting a bounded time for
 * another process that holds it; a lock file older than {@link LOCK_STALE_MS} is taken over.
 */
async function withFileLock<T>(file: string, setting: string, body: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        throw new CasCredentialSourceError(
          `${setting}: cannot create the lock file ${lock} (${describeCause(e)}); the refreshed OAuth tokens must be written back to the profile file.`,
          { cause: e },
        );
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        // Removed meanwhile by its holder: try again.
      }
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new CasCredentialSourceError(
          `${setting}: another process has held the lock file ${lock} for more than ${LOCK_WAIT_MS / 1000} s; if none is refreshing these OAuth tokens, remove it.`,
        );
      await sleep(25 + Math.floor(Math.random() * 25));
    }
  }
  try {
    return await body();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // Already gone (taken over as stale): nothing to release.
    }
  }
}

/**
 * Writes `fields` into profile `name` of `file`, read again first so that whatever else was
 * written meanwhile (other profiles, other fields) is kept: a temporary file in the same directory
 * (mode 0600), renamed over the file.
 */
function writeBack(file: string, name: string, fields: Record<string, unknown>, setting: string): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    const doc: unknown = JSON.parse(readFileSync(file, "utf8"));
    const p = profileIn(doc, name);
    if (!p) throw new Error(`profile "${name}" is no longer an OAuth profile there`);
    Object.assign(p, fields);
    writeFileSync(tmp, `${JSON.stringify(doc, null, 4)}\n`, { mode: 0o600, flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Not created, or renamed.
    }
    throw new CasCredentialSourceError(
      `${setting}: the OAuth refresh token was rotated but could not be written back to ${file} (${describeCause(e)}); sign in again if the next run is refused.`,
      { cause: e },
    );
  }
}

/** The parsed JSON body of an answer, or `{}`. */
function jsonBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** ` <error code>` of an OAuth error answer (`{"error": "invalid_grant", …}`), never its description. */
function errorCode(body: Record<string, unknown>): string {
  const code = body.error ?? body.Code;
  return typeof code === "string" && /^[\w.-]{1,80}$/.test(code) ? ` ${code}` : "";
}

/** Sessions that wrote their tokens back, by file, profile and tokens: the file read again finds its writer. */
const writers = new Map<string, CredentialProvider>();
const writerKey = (file: string, name: string, p: Omit<OAuthProfile, "siteType">) =>
  JSON.stringify([file, name, p.refreshToken ?? "", p.accessToken ?? "", p.accessTokenExpire ?? 0]);

/**
 * Temporary keys exchanged for an OAuth profile's access token, renewed before they expire (like a
 * role session's); the access token is refreshed with the refresh token when less than 20 minutes
 * are left, and the rotated tokens written back to `file`. `name` is the profile's name (for the
 * sign-in command in messages and the write-back).
 */
export function oauthSession(
  p: OAuthProfile,
  name: string,
  file: string,
  setting: string,
  now: () => number = Date.now,
  endpoint?: string,
  allowInsecure = false,
): CredentialProvider {
  const mine = writers.get(writerKey(file, name, p));
  if (mine) return mine;
  const site = OAUTH_SITES[p.siteType.toUpperCase()];
  if (!site)
    throw new CasCredentialSourceError(
      `${setting}: oauth_site_type is ${JSON.stringify(p.siteType.slice(0, 20))}, not CN or INTL; set it (aliyun configure --profile ${name} --mode OAuth).`,
    );
  let base: URL | undefined;
  try {
    base = new URL(endpoint ?? site.base);
  } catch {
    base = undefined;
  }
  if (!base || (base.protocol !== "https:" && base.protocol !== "http:"))
    throw new CasCredentialSourceError(`${setting}: ${OAUTH_ENDPOINT_KEY} is not an http(s) URL.`);
  if (base.protocol === "http:" && !isLoopbackHost(base.hostname) && !allowInsecure)
    throw new CasCredentialSourceError(
      `${setting}: the OAuth site ${base.origin} is plain http:// to a host other than this machine: the tokens and the keys it answers would cross the network unencrypted, so it was not asked. ` +
        `Use https://; for a network you trust, set pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true.`,
    );
  const tokenUrl = new URL("/v1/token", base.origin);
  const exchangeUrl = new URL("/v1/exchange", base.origin);
  const signIn = `aliyun configure --profile ${name} --mode OAuth`;
  let held: Omit<OAuthProfile, "siteType"> = {
    refreshToken: p.refreshToken,
    accessToken: p.accessToken,
    accessTokenExpire: p.accessTokenExpire,
  };

  let written: string | undefined;

  const post = async (url: URL, headers: Record<string, string>, body: string | undefined) => {
    const transport = processTransport();
    return transport
      .send(
        {
          url,
          method: "POST",
          headers: { host: url.host, accept: "application/json", ...headers },
          ...(body === undefined ? {} : { body }),
          signal: transport.timeout(15_000),
          timeoutMs: 15_000,
        },
        64 * 1024,
      )
      .catch((e: unknown) => {
        throw new CasCredentialSourceError(
          `${setting}: cannot reach the OAuth site at ${url.origin} (${describeCause(e)}).`,
          { cause: e },
        );
      });
  };

  /**
   * A fresh access token: under the lock, the file read again (another process may have rotated
   * the tokens already), refreshed there when due (or when `force`), and written back.
   */
  const refreshed = (force: boolean): Promise<void> =>
    withFileLock(file, setting, async () => {
      let onDisk: Record<string, unknown> | undefined;
      try {
        onDisk = profileIn(JSON.parse(readFileSync(file, "utf8")), name);
      } catch {
        onDisk = undefined;
      }
      if (onDisk) {
        const there = oauthProfileFields(onDisk);
        // Another process rotated them: its tokens are the live ones (ours may be spent).
        if (there.refreshToken && there.refreshToken !== held.refreshToken) {
          held = there;
          force = false;
        }
      }
      if (!force && held.accessToken && (held.accessTokenExpire ?? 0) - now() / 1000 > ACCESS_TOKEN_MARGIN_S)
        return;
      if (!held.refreshToken) return;
      const res = await post(
        tokenUrl,
        { "content-type": "application/x-www-form-urlencoded" },
        new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: held.refreshToken,
          client_id: site.clientId,
        }).toString(),
      );
      const body = jsonBody(res.text);
      if (res.status !== 200)
        throw new CasCredentialSourceError(
          `${setting}: the OAuth site at ${tokenUrl.origin} refused the refresh token (HTTP ${res.status}${errorCode(body)}): it expired or was revoked; sign in again (${signIn}).`,
        );
      const expiresIn = Number(body.expires_in);
      if (
        typeof body.access_token !== "string" ||
        typeof body.refresh_token !== "string" ||
        !body.access_token ||
        !body.refresh_token ||
        !Number.isFinite(expiresIn)
      )
        throw new CasCredentialSourceError(
          `${setting}: the OAuth site at ${tokenUrl.origin} did not answer {access_token, refresh_token, expires_in}.`,
        );
      held = {
        refreshToken: body.refresh_token,
        accessToken: body.access_token,
        accessTokenExpire: Math.floor(now() / 1000) + expiresIn,
      };
      writeBack(
        file,
        name,
        {
          oauth_refresh_token: held.refreshToken,
          oauth_access_token: held.accessToken,
          oauth_access_token_expire: held.accessTokenExpire,
        },
        setting,
      );
      // The profile file changed: reading it again finds this session, not a new one.
      if (written) writers.delete(written);
      written = writerKey(file, name, held);
      writers.set(written, provider);
    });

  const exchange = async () => {
    if (!held.accessToken)
      throw new CasCredentialSourceError(
        `${setting}: the OAuth profile has no access token or refresh token; sign in again (${signIn}).`,
      );
    return post(
      exchangeUrl,
      { "content-type": "application/json", authorization: `Bearer ${held.accessToken}` },
      undefined,
    );
  };

  const provider = sessionCredentials(
    async () => {
      const due = !held.accessToken || (held.accessTokenExpire ?? 0) - now() / 1000 <= ACCESS_TOKEN_MARGIN_S;
      let didRefresh = false;
      if (due && held.refreshToken) {
        await refreshed(false);
        didRefresh = true;
      }
      let res = await exchange();
      // An access token refused before its time (revoked, or the clock is off): refreshed once.
      if (res.status !== 200 && !didRefresh && held.refreshToken) {
        await refreshed(true);
        res = await exchange();
      }
      const body = jsonBody(res.text);
      if (res.status !== 200)
        throw new CasCredentialSourceError(
          `${setting}: the OAuth site at ${exchangeUrl.origin} refused to exchange the access token for keys (HTTP ${res.status}${errorCode(body)}); sign in again (${signIn}).`,
        );
      const expiresAt = typeof body.expiration === "string" ? Date.parse(body.expiration) : NaN;
      if (
        typeof body.accessKeyId !== "string" ||
        typeof body.accessKeySecret !== "string" ||
        typeof body.securityToken !== "string" ||
        !body.accessKeyId ||
        !body.securityToken ||
        !Number.isFinite(expiresAt)
      )
        throw new CasCredentialSourceError(
          `${setting}: the OAuth site at ${exchangeUrl.origin} did not answer {accessKeyId, accessKeySecret, securityToken, expiration}.`,
        );
      return {
        accessKeyId: body.accessKeyId,
        accessKeySecret: body.accessKeySecret,
        securityToken: body.securityToken,
        expiresAt,
      };
    },
    `OAuth sign-in at ${base.origin} (${setting})`,
    now,
  );
  return provider;
}
