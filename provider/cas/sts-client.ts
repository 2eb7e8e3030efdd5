import { randomUUID } from "node:crypto";
import { canonicalQuery } from "../../protocol/percent-encode";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import { CasCredentialSourceError, describeCause } from "./errors";
import { processTransport, type ProxySettings, type Transport } from "./transport";

/** The STS API version. */
const STS_API_VERSION = "2015-04-01";

/** Alibaba Cloud's STS endpoint (the default when no other is set). */
export const DEFAULT_STS_ENDPOINT = "https://sts.aliyuncs.com";

/** Keys STS issued and when they stop working. */
export interface SessionKeys {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Where the STS endpoint came from and how requests reach it. */
export interface StsEndpoint {
  endpoint: URL;
  /** `environment ALIBABA_CLOUD_STS_ENDPOINT`, `stack config alicloud:endpoints (its sts entry)`, … */
  source: string;
  proxy: ProxySettings;
  /** ` through the proxy …`, or empty, for messages. */
  route: string;
  /** Why requests must not be sent there (plain http:// to another host), thrown at the first one. */
  refusal?: unknown;
}

/** What a role session asks STS for. */
export interface RoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number | undefined;
  policy?: string | undefined;
  externalId?: string | undefined;
}

/**
 * Calls Alibaba Cloud STS (`AssumeRole`, signed with RPC HMAC-SHA1; `AssumeRoleWithOIDC`, anonymous,
 * as the API defines it) over the project's own transport, so the proxy and private-CA settings
 * of CAS requests apply to STS too.
 */
export class StsClient {
  constructor(
    readonly target: StsEndpoint,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = 10_000,
    private readonly transport: Transport = processTransport(),
  ) {}

  /** `AssumeRole` signed with `base` (an access key, or temporary keys with their token). */
  assumeRole(
    base: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined },
    r: RoleRequest,
    setting: string,
  ): Promise<SessionKeys> {
    const params: Record<string, string> = {
      RoleArn: r.roleArn,
      RoleSessionName: r.sessionName,
      ...(r.durationSeconds !== undefined ? { DurationSeconds: String(r.durationSeconds) } : {}),
      ...(r.policy ? { Policy: r.policy } : {}),
      ...(r.externalId ? { ExternalId: r.externalId } : {}),
    };
    const common: Record<string, string> = {
      Action: "AssumeRole",
      Version: STS_API_VERSION,
      Format: "JSON",
      AccessKeyId: base.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: randomUUID(),
      Timestamp: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(base.securityToken ? { SecurityToken: base.securityToken } : {}),
    };
    common.Signature = signRpcV1("POST", { ...common, ...params }, base.accessKeySecret);
    return this.post("AssumeRole", common, params, setting, [base.accessKeySecret, base.securityToken]);
  }

  /** `AssumeRoleWithOIDC`: anonymous; the OIDC token is the proof. */
  assumeRoleWithOidc(
    r: RoleRequest & { oidcProviderArn: string; oidcToken: string },
    setting: string,
  ): Promise<SessionKeys> {
    const params: Record<string, string> = {
      OIDCProviderArn: r.oidcProviderArn,
      RoleArn: r.roleArn,
      OIDCToken: r.oidcToken,
      RoleSessionName: r.sessionName,
      ...(r.durationSeconds !== undefined ? { DurationSeconds: String(r.durationSeconds) } : {}),
      ...(r.policy ? { Policy: r.policy } : {}),
    };
    const common = {
      Action: "AssumeRoleWithOIDC",
      Version: STS_API_VERSION,
      Format: "JSON",
      Timestamp: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    return this.post("AssumeRoleWithOIDC", common, params, setting, [r.oidcToken]);
  }

  private async post(
    action: string,
    common: Record<string, string>,
    params: Record<string, string>,
    setting: string,
    secrets: Array<string | undefined>,
  ): Promise<SessionKeys> {
    const { endpoint, source, proxy, route, refusal } = this.target;
    if (refusal) throw refusal;
    const where = `STS ${endpoint.origin} (from ${source})${route}`;
    let res;
    try {
      res = await this.transport.send(
        {
          url: new URL(`/?${canonicalQuery(common)}`, endpoint),
          method: "POST",
          headers: {
            host: endpoint.host,
            accept: "application/json",
            "content-type": "application/x-www-form-urlencoded",
            "user-agent": "pulumi-alicloud-cas",
          },
          body: canonicalQuery(params),
          signal: this.transport.timeout(this.timeoutMs),
          timeoutMs: this.timeoutMs,
        },
        64 * 1024,
        proxy,
      );
    } catch (e) {
      throw new CasCredentialSourceError(
        `${setting}: ${action} could not reach ${where}: ${describeCause(e)}. ` +
          "Check the STS endpoint (the sts entry of alicloud:endpoints, or ALIBABA_CLOUD_STS_ENDPOINT) and the network path to it.",
        { cause: e },
      );
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(res.text);
      if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
    } catch {
      body = {};
    }
    const scrub = (text: string) =>
      secrets.reduce<string>((t, s) => (s ? t.split(s).join("(secret)") : t), text).slice(0, 300);
    if (res.status < 200 || res.status >= 300) {
      const code = typeof body.Code === "string" ? scrub(body.Code) : `HTTP${res.status}`;
      const message = typeof body.Message === "string" ? scrub(body.Message) : "(no STS error body)";
      throw new CasCredentialSourceError(
        `${setting}: ${action} was refused by ${where}: ${code}: ${message}. ${stsFix(code, setting)}`,
      );
    }
    const c = body.Credentials as Record<string, unknown> | undefined;
    const expiresAt = typeof c?.Expiration === "string" ? Date.parse(c.Expiration) : NaN;
    if (
      !c ||
      typeof c.AccessKeyId !== "string" ||
      typeof c.AccessKeySecret !== "string" ||
      typeof c.SecurityToken !== "string" ||
      !Number.isFinite(expiresAt)
    )
      throw new CasCredentialSourceError(
        `${setting}: ${action} answered without Credentials {AccessKeyId, AccessKeySecret, SecurityToken, Expiration} from ${where}; is it the STS API?`,
      );
    return {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
      expiresAt,
    };
  }
}

/** What to change for an STS refusal, by its code. */
function stsFix(code: string, setting: string): string {
  if (code.startsWith("EntityNotExist.Role") || code === "InvalidParameter.RoleArn")
    return `Check the roleArn of ${setting} (acs:ram::<account id>:role/<name>, as the RAM console shows it).`;
  if (code.startsWith("EntityNotExist.OIDCProvider") || code === "InvalidParameter.OIDCProviderArn")
    return `Check the oidcProviderArn of ${setting} (acs:ram::<account id>:oidc-provider/<name>).`;
  if (code.startsWith("AuthenticationFail.OIDCToken"))
    return `The OIDC token (oidcToken or oidcTokenFile of ${setting}) is not accepted: give a fresh token from the identity provider (its file is read again at each renewal).`;
  if (code === "InvalidParameter.RoleSessionName")
    return `Set a session name of 2 to 64 letters, digits or . @ - _ (sessionName / roleSessionName of ${setting}).`;
  if (code === "InvalidParameter.DurationSeconds")
    return `Set sessionExpiration of ${setting} between 900 and the role's maximum session duration (seconds).`;
  if (code === "InvalidParameter.PolicyGrammar")
    return `Fix the policy of ${setting}: it must be a JSON policy document.`;
  if (
    code.startsWith("InvalidAccessKeyId") ||
    code === "SignatureDoesNotMatch" ||
    code.startsWith("InvalidSecurityToken")
  )
    return `The credentials that assume the role (the rest of the credential chain) were refused: check them.`;
  if (code === "NoPermission" || code.startsWith("Forbidden"))
    return `The identity may not assume this role: check the role's trust policy and the caller's sts:AssumeRole permission.`;
  return "Check the role settings and the STS endpoint.";
}
