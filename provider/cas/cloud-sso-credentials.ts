// The Aliyun CLI's `CloudSSO` profile mode. `aliyun configure --mode CloudSSO` signs in through a
// browser and stores an access token in the profile; credentials are then exchanged for it, as
// credentials-go's CloudSSO provider does: `POST <sign-in URL's origin>/cloud-credentials` with
// `Authorization: Bearer <access_token>` and `{"AccountId", "AccessConfigurationId"}`, answered
// `{"CloudCredential": {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}}`. The access
// token itself is not renewed (neither the CLI nor credentials-go can): once it expires, sign in again.
import { CasCredentialSourceError, describeCause } from "./errors";
import { sessionCredentials } from "./credential-sessions";
import { ALLOW_INSECURE_ENDPOINT_KEY, isLoopbackHost } from "./endpoints";
import { processTransport } from "./transport";
import type { CredentialProvider } from "./credential-types";

/** What a CloudSSO profile holds (its field names in the Aliyun CLI's config.json in comments). */
export interface CloudSsoProfile {
  /** `cloud_sso_sign_in_url` */
  signInUrl: string;
  /** `access_token` */
  accessToken: string | undefined;
  /** `cloud_sso_access_token_expire`: seconds since the epoch. */
  accessTokenExpire: number | undefined;
  /** `cloud_sso_account_id` */
  accountId: string;
  /** `cloud_sso_access_config` */
  accessConfig: string;
}

/**
 * Temporary keys of a CloudSSO access configuration, exchanged for the profile's access token and
 * renewed before they expire (like a role session's). `name` is the profile's name (for the sign-in
 * command in messages).
 */
export function cloudSsoSession(
  p: CloudSsoProfile,
  name: string,
  setting: string,
  now: () => number = Date.now,
  allowInsecure = false,
): CredentialProvider {
  let url: URL | undefined;
  try {
    url = new URL(p.signInUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new CasCredentialSourceError(`${setting}: cloud_sso_sign_in_url is not an http(s) URL.`);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !allowInsecure)
    throw new CasCredentialSourceError(
      `${setting}: cloud_sso_sign_in_url ${url.origin} is plain http:// to a host other than this machine: the access token and the keys it answers would cross the network unencrypted, so it was not asked. ` +
        `Use https://; for a network you trust, set pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true.`,
    );
  const endpoint = new URL("/cloud-credentials", url.origin);
  const signIn = `aliyun configure --profile ${name} --mode CloudSSO`;
  return sessionCredentials(
    async () => {
      // Checked at each exchange: the CLI's sign-in rewrites the file, which is then read again.
      if (!p.accessToken || !p.accessTokenExpire || p.accessTokenExpire * 1000 <= now())
        throw new CasCredentialSourceError(
          `${setting}: the CloudSSO access token ${p.accessToken ? `expired at ${new Date((p.accessTokenExpire ?? 0) * 1000).toISOString()}` : "is missing"}; sign in again (${signIn}).`,
        );
      const transport = processTransport();
      const res = await transport
        .send(
          {
            url: endpoint,
            method: "POST",
            headers: {
              host: endpoint.host,
              accept: "application/json",
              "content-type": "application/json",
              authorization: `Bearer ${p.accessToken}`,
            },
            body: JSON.stringify({ AccountId: p.accountId, AccessConfigurationId: p.accessConfig }),
            signal: transport.timeout(15_000),
            timeoutMs: 15_000,
          },
          64 * 1024,
        )
        .catch((e: unknown) => {
          throw new CasCredentialSourceError(
            `${setting}: cannot reach CloudSSO at ${endpoint.origin} (${describeCause(e)}).`,
            { cause: e },
          );
        });
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(res.text);
        if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
      } catch {
        body = {};
      }
      if (res.status !== 200) {
        const code = typeof body.Code === "string" ? ` ${body.Code.slice(0, 80)}` : "";
        throw new CasCredentialSourceError(
          `${setting}: CloudSSO at ${endpoint.origin} refused the exchange (HTTP ${res.status}${code}) for account ${p.accountId} and access configuration ${p.accessConfig}. ` +
            `Check cloud_sso_account_id and cloud_sso_access_config, or sign in again (${signIn}).`,
        );
      }
      const c = (body.CloudCredential ?? {}) as Record<string, unknown>;
      const expiresAt = typeof c.Expiration === "string" ? Date.parse(c.Expiration) : NaN;
      if (
        typeof c.AccessKeyId !== "string" ||
        typeof c.AccessKeySecret !== "string" ||
        typeof c.SecurityToken !== "string" ||
        !c.AccessKeyId ||
        !c.SecurityToken ||
        !Number.isFinite(expiresAt)
      )
        throw new CasCredentialSourceError(
          `${setting}: CloudSSO at ${endpoint.origin} did not answer {"CloudCredential": {AccessKeyId, AccessKeySecret, SecurityToken, Expiration}}.`,
        );
      return {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
        expiresAt,
      };
    },
    `CloudSSO access configuration ${p.accessConfig} of account ${p.accountId} (${setting})`,
    now,
  );
}
