import { readFileSync } from "node:fs";
import { CasCredentialSourceError, describeCause } from "./errors";
import type { SessionKeys, StsClient, RoleRequest } from "./sts-client";
import { ALLOW_INSECURE_ENDPOINT_KEY, isLoopbackHost } from "./endpoints";
import type { CredentialProvider, Credentials } from "./credential-types";
import { processTransport } from "./transport";

/** How long before expiry temporary credentials are renewed, at most (five minutes). */
export const MAX_RENEWAL_MARGIN_MS = 5 * 60_000;

/**
 * How long before they expire credentials of lifetime `lifetimeMs` are renewed: a fifth of the
 * lifetime, at most {@link MAX_RENEWAL_MARGIN_MS}, so an hour-long session is renewed five minutes
 * before its end and a ten-second one two seconds before (any request still signed with the old
 * keys has time to arrive).
 */
export function renewalMargin(lifetimeMs: number): number {
  return Math.min(MAX_RENEWAL_MARGIN_MS, Math.max(0, lifetimeMs) / 5);
}

/**
 * Temporary credentials obtained by `fetch` (a role, OIDC, ECS metadata, a credentials URI), kept
 * until they are due for renewal ({@link renewalMargin} before `expiresAt`), then obtained again;
 * concurrent requests share one renewal. A renewal that fails while the keys held are still valid
 * keeps them (the next request tries again); once they have expired, the failure is reported.
 */
export function sessionCredentials(
  fetch: () => Promise<SessionKeys>,
  source: string,
  now: () => number = Date.now,
): CredentialProvider {
  let held: { creds: Credentials; expiresAt: number; renewAt: number } | undefined;
  let inflight: Promise<Credentials> | undefined;
  const obtain = (): Promise<Credentials> => {
    inflight ??= (async () => {
      try {
        const started = now();
        const keys = await fetch();
        const creds: Credentials = {
          accessKeyId: keys.accessKeyId,
          accessKeySecret: keys.accessKeySecret,
          // An External command may print an access key without a token (mode AK).
          ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
          source,
          // Keys without an expiry (an External command's) are kept until an expired-token answer.
          ...(Number.isFinite(keys.expiresAt) ? { expiresAt: keys.expiresAt } : {}),
        };
        held = {
          creds,
          expiresAt: keys.expiresAt,
          renewAt: keys.expiresAt - renewalMargin(keys.expiresAt - started),
        };
        return creds;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };
  return {
    source,
    temporary: true,
    async current() {
      if (held && now() < held.renewAt) return held.creds;
      try {
        return await obtain();
      } catch (e) {
        if (held && now() < held.expiresAt) return held.creds;
        throw e;
      }
    },
    async refresh() {
      const before = held?.creds;
      await obtain();
      return (
        held?.creds.accessKeyId !== before?.accessKeyId || held?.creds.securityToken !== before?.securityToken
      );
    },
  };
}

/** A role session: `AssumeRole` signed with the credentials `base` gives (the rest of the chain). */
export function roleSession(
  sts: StsClient,
  base: CredentialProvider,
  role: RoleRequest,
  setting: string,
  now?: () => number,
): CredentialProvider {
  return sessionCredentials(
    async () => sts.assumeRole(await base.current(), role, setting),
    `role ${role.roleArn} (${setting}; assumed with ${base.source})`,
    now,
  );
}

/** An OIDC role session: the token (read from its file at every renewal, as platforms rotate it) exchanged at STS. */
export function oidcSession(
  sts: StsClient,
  role: RoleRequest & {
    oidcProviderArn: string;
    oidcToken?: string | undefined;
    oidcTokenFile?: string | undefined;
  },
  setting: string,
  now?: () => number,
): CredentialProvider {
  return sessionCredentials(
    async () => {
      let token = role.oidcToken;
      if (role.oidcTokenFile !== undefined) {
        try {
          token = readFileSync(role.oidcTokenFile, "utf8").trim();
        } catch (e) {
          throw new CasCredentialSourceError(
            `${setting}: cannot read the OIDC token file ${role.oidcTokenFile} (${describeCause(e)}). ` +
              "Check oidcTokenFile (ALIBABA_CLOUD_OIDC_TOKEN_FILE): the platform writes the token there (a GitHub Actions step, an ACK RRSA mount).",
            { cause: e },
          );
        }
      }
      if (!token)
        throw new CasCredentialSourceError(
          `${setting}: the OIDC token is empty. Set oidcToken, or oidcTokenFile to a file that holds the token.`,
        );
      return sts.assumeRoleWithOidc({ ...role, oidcToken: token }, setting);
    },
    `OIDC role ${role.roleArn} (${setting})`,
    now,
  );
}

/** Default address of the ECS instance metadata service. */
export const DEFAULT_ECS_METADATA_ENDPOINT = "http://100.100.100.200";

/**
 * The RAM role of this ECS instance, from its metadata service (IMDSv2 token first; without one,
 * the plain v1 read unless `imdsV1Disabled`). `roleName` empty: the role the instance reports.
 */
export function ecsRoleSession(
  metadata: string,
  roleName: string | undefined,
  setting: string,
  imdsV1Disabled: boolean,
  now?: () => number,
): CredentialProvider {
  const base = metadata.replace(/\/+$/, "");
  return sessionCredentials(
    async () => {
      let token: string | undefined;
      try {
        const res = await httpCall(`${base}/latest/api/token`, "PUT", {
          "x-aliyun-ecs-metadata-token-ttl-seconds": "21600",
        });
        if (res.status === 200) token = res.text.trim();
      } catch (e) {
        if (imdsV1Disabled) throw metadataError(setting, base, e);
      }
      if (!token && imdsV1Disabled)
        throw new CasCredentialSourceError(
          `${setting}: the ECS metadata service ${base} gave no IMDSv2 token and ALIBABA_CLOUD_IMDSV1_DISABLED forbids the v1 read. Enable IMDSv2 tokens on the instance or unset the variable.`,
        );
      const headers: Record<string, string> = token ? { "x-aliyun-ecs-metadata-token": token } : {};
      const path = `${base}/latest/meta-data/ram/security-credentials/`;
      let role = roleName;
      if (!role) {
        const res = await httpCall(path, "GET", headers).catch((e: unknown) => {
          throw metadataError(setting, base, e);
        });
        role = res.status === 200 ? res.text.split("\n")[0]?.trim() : undefined;
        if (!role)
          throw new CasCredentialSourceError(
            `${setting}: the ECS metadata service ${base} reports no RAM role for this instance (HTTP ${res.status}). Attach a RAM role to the instance, or set ecsRoleName.`,
          );
      }
      const res = await httpCall(path + encodeURIComponent(role), "GET", headers).catch((e: unknown) => {
        throw metadataError(setting, base, e);
      });
      if (res.status !== 200)
        throw new CasCredentialSourceError(
          `${setting}: the ECS metadata service ${base} answered HTTP ${res.status} for role ${role}. Check ecsRoleName (ALICLOUD_ECS_ROLE_NAME / ALIBABA_CLOUD_ECS_METADATA): it must be the role attached to this instance.`,
        );
      return parseKeys(res.text, `${setting}: the ECS metadata service ${base} (role ${role})`);
    },
    `ECS RAM role ${roleName || "(the instance's)"} (${setting})`,
    now,
  );
}

/** Credentials served by a URI (a sidecar, a credentials server): GET, JSON keys with `Expiration`. */
export function uriSession(
  uri: string,
  setting: string,
  now?: () => number,
  allowInsecure = false,
): CredentialProvider {
  return sessionCredentials(
    async () => {
      // The answer is an access key and its token: plain http:// only on this machine (a sidecar
      // on loopback or the link-local address a platform serves), as for the CAS endpoint.
      let url: URL | undefined;
      try {
        url = new URL(uri);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
        throw new CasCredentialSourceError(
          `${setting}: ${JSON.stringify(withoutQuery(uri).slice(0, 80))} is not an http(s) URL; set credentialsUri to the server's URL`,
        );
      const local = isLoopbackHost(url.hostname) || /^169\.254\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
      if (url.protocol === "http:" && !local && !allowInsecure)
        throw new CasCredentialSourceError(
          `${setting}: the credentials URI ${withoutQuery(uri)} is plain http:// to a host other than this machine: the access key and token it answers would cross the network unencrypted, so it was not asked. ` +
            `Use https://, or a server on 127.0.0.1, ::1, localhost or a link-local 169.254.x.x address; for a network you trust, set pulumi config set ${ALLOW_INSECURE_ENDPOINT_KEY} true.`,
        );
      const res = await httpCall(uri, "GET", {}).catch((e: unknown) => {
        throw new CasCredentialSourceError(
          `${setting}: cannot reach the credentials URI ${withoutQuery(uri)} (${describeCause(e)}). Check credentialsUri (ALIBABA_CLOUD_CREDENTIALS_URI) and that the server runs.`,
          { cause: e },
        );
      });
      if (res.status !== 200)
        throw new CasCredentialSourceError(
          `${setting}: the credentials URI ${withoutQuery(uri)} answered HTTP ${res.status}. Check credentialsUri (ALIBABA_CLOUD_CREDENTIALS_URI).`,
        );
      return parseKeys(res.text, `${setting}: the credentials URI ${withoutQuery(uri)}`);
    },
    `credentials URI ${withoutQuery(uri)} (${setting})`,
    now,
  );
}

function withoutQuery(uri: string): string {
  try {
    const u = new URL(uri);
    u.search = "";
    u.hash = "";
    u.username = "";
    u.password = "";
    const shown = u.toString();
    // Without an authority (`user:token@host/path` parses with `user:` as its scheme), what
    // precedes the last `@` may be credentials: only the host part is shown.
    const at = shown.lastIndexOf("@");
    return at < 0 ? shown : `${/^[a-z][a-z0-9+.-]*:\/\//i.exec(shown)?.[0] ?? ""}…@${shown.slice(at + 1)}`;
  } catch {
    return "(a URI that does not parse)";
  }
}

function metadataError(setting: string, base: string, e: unknown): CasCredentialSourceError {
  return new CasCredentialSourceError(
    `${setting}: cannot reach the ECS metadata service ${base} (${describeCause(e)}). ` +
      "It answers only on an ECS instance; elsewhere use another credential source.",
    { cause: e },
  );
}

/** `{AccessKeyId, AccessKeySecret, SecurityToken, Expiration}` (with `Code: "Success"` when present). */
function parseKeys(text: string, what: string): SessionKeys {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    body = {};
  }
  const expiresAt = typeof body.Expiration === "string" ? Date.parse(body.Expiration) : NaN;
  if (body.Code !== undefined && body.Code !== "Success")
    throw new CasCredentialSourceError(
      `${what} answered Code ${JSON.stringify(String(body.Code).slice(0, 60))}, not Success.`,
    );
  if (
    typeof body.AccessKeyId !== "string" ||
    typeof body.AccessKeySecret !== "string" ||
    typeof body.SecurityToken !== "string" ||
    !Number.isFinite(expiresAt)
  )
    throw new CasCredentialSourceError(
      `${what} did not answer {AccessKeyId, AccessKeySecret, SecurityToken, Expiration} as JSON.`,
    );
  return {
    accessKeyId: body.AccessKeyId,
    accessKeySecret: body.AccessKeySecret,
    securityToken: body.SecurityToken,
    expiresAt,
  };
}

/** One direct request (never through a proxy: metadata and credential servers are local), 5 s at most. */
async function httpCall(
  url: string,
  method: "GET" | "PUT",
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  const transport = processTransport();
  const res = await transport.send(
    {
      url: u,
      method,
      headers: { host: u.host, accept: "application/json", ...headers },
      signal: transport.timeout(5_000),
      timeoutMs: 5_000,
    },
    64 * 1024,
  );
  return { status: res.status, text: res.text };
}
