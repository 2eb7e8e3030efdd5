import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { authenticate, type AccountLookup, type NonceCache } from "./auth";
import { ApiFault } from "./faults";
import { callerIdentity as identityOf } from "./identity";
import type { Account, EmulatorState } from "./state";

/** The STS API version (RPC style), which tells an STS request from a CAS one on the same port. */
const STS_VERSION = "2015-04-01";

/** STS actions the emulator answers. */
const STS_ACTIONS: ReadonlySet<string> = new Set(["AssumeRole", "AssumeRoleWithOIDC"]);

/** A RAM role the emulator knows, and the account (access key) whose plans its OIDC sessions use. */
interface StsRole {
  /** `acs:ram::<account id>:role/<name>`. */
  arn: string;
  /** The account of OIDC sessions of this role; default: the emulator's first account. */
  accessKeyId?: string;
}

/** The emulator's STS settings (all optional). */
export interface StsOptions {
  /**
   * Upper bound of the lifetime of every credential STS issues, in seconds, whatever
   * `DurationSeconds` asked (which STS keeps between 900 and 43200): short lifetimes let a test see
   * many rotations. Default: as asked.
   */
  lifetimeSeconds?: number | undefined;
  /** Roles that exist; when absent, any well-formed role ARN is accepted. */
  roles?: StsRole[] | undefined;
  /** OIDC provider ARNs that exist; when absent, any well-formed OIDC provider ARN is accepted. */
  oidcProviders?: string[] | undefined;
}

/** Temporary credentials STS issued. */
interface Session {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** The access key of the account whose plans and orders the session uses. */
  owner: string;
  expiresAt: number;
  /** `AssumedRoleUser.Arn` (what a caller-identity answer for these keys names). */
  assumedRoleArn: string;
  assumedRoleId: string;
}

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.@_-]{1,64})$/;
const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.@_-]{1,128}$/;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43_200;

/**
 * The emulator's Security Token Service: `AssumeRole` (signed by an access key of the emulator or
 * by temporary keys) and `AssumeRoleWithOIDC` (anonymous), served on the CAS port and told apart by
 * `Version=2015-04-01`. Sessions are kept in memory (a restarted emulator forgets them). The keys it
 * issues sign CAS requests for the account of the key that assumed the role (OIDC: the role's
 * configured account); once expired, CAS answers `InvalidSecurityToken.Expired`.
 */
export class StsService {
  private readonly sessions = new Map<string, Session>();
  lifetimeSeconds: number | undefined;

  constructor(
    private readonly options: StsOptions,
    private readonly state: EmulatorState,
    private readonly now: () => number,
  ) {
    this.lifetimeSeconds = options.lifetimeSeconds;
  }

  /** Whether a request is for STS: its version, in the query, a form body or `x-acs-version`. */
  static isStsRequest(url: URL, headers: Record<string, string>, body: string): boolean {
    const version =
      headers["x-acs-version"] ??
      url.searchParams.get("Version") ??
      (/x-www-form-urlencoded/.test(headers["content-type"] ?? "")
        ? new URLSearchParams(body).get("Version")
        : null);
    return version === STS_VERSION;
  }

  /**
   * The account temporary keys sign for, while they are valid: an expired session answers
   * `InvalidSecurityToken.Expired`, a missing or other token the service's refusals.
   */
  temporaryAccount(accessKeyId: string, token: string | undefined): Account | undefined {
    const s = this.sessions.get(accessKeyId);
    if (!s) return undefined;
    if (token === undefined)
      throw new ApiFault("MissingSecurityToken", 400, "SecurityToken is mandatory for this action.");
    if (token !== s.securityToken)
      throw new ApiFault(
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
        "Specified SecurityToken mismatch with the AccessKey.",
      );
    if (this.now() >= s.expiresAt)
      throw new ApiFault("InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired.");
    const accountId = this.state.accounts.find((a) => a.accessKeyId === s.owner)?.accountId ?? "";
    return { accountId, accessKeyId, accessKeySecret: s.accessKeySecret, securityTokens: [s.securityToken] };
  }

  /** Forgets every session (the emulator's reset). */
  clear(): void {
    this.sessions.clear();
  }

  /** Ends every live session now (their keys answer `InvalidSecurityToken.Expired` from the next request); how many. */
  expireAll(): number {
    const now = this.now();
    let ended = 0;
    for (const s of this.sessions.values())
      if (s.expiresAt > now) {
        s.expiresAt = now;
        ended += 1;
      }
    return ended;
  }

  /**
   * Who temporary keys are (for a caller-identity answer): the assumed role user's ARN and id, and
   * the access key of the account they act for; `undefined` for any other key.
   */
  sessionIdentity(
    accessKeyId: string,
  ): { assumedRoleArn: string; assumedRoleId: string; owner: string } | undefined {
    const s = this.sessions.get(accessKeyId);
    return s && { assumedRoleArn: s.assumedRoleArn, assumedRoleId: s.assumedRoleId, owner: s.owner };
  }

  /** The access key of the account a key acts for: the assuming account's for temporary keys. */
  ownerOf(accessKeyId: string): string {
    return this.sessions.get(accessKeyId)?.owner ?? accessKeyId;
  }

  /** Answers one STS request (authenticated for `AssumeRole`, anonymous for `AssumeRoleWithOIDC`). */
  handle(
    req: { method: string; url: URL; headers: Record<string, string>; body: string },
    findAccount: AccountLookup,
    nonces: NonceCache,
  ): { action: string; accessKeyId: string | null; temporary: boolean; answer: Record<string, unknown> } {
    const all: Record<string, string> = {};
    for (const [k, v] of req.url.searchParams) all[k] = v;
    if (/x-www-form-urlencoded/.test(req.headers["content-type"] ?? ""))
      for (const [k, v] of new URLSearchParams(req.body)) all[k] = v;
    const action = req.headers["x-acs-action"] ?? all.Action ?? "";
    if (action === "AssumeRoleWithOIDC")
      return { action, accessKeyId: null, temporary: false, answer: this.assumeWithOidc(all) };
    const authed = authenticate(req, findAccount, nonces, this.now(), STS_VERSION);
    const temporary = authed.securityToken !== undefined;
    if (authed.action === "GetCallerIdentity")
      return {
        action: authed.action,
        accessKeyId: authed.accessKeyId,
        temporary,
        answer: this.callerIdentity(authed.accessKeyId, authed.securityToken),
      };
    if (authed.action !== "AssumeRole")
      throw new ApiFault(
        "InvalidAction.NotFound",
        404,
        `Specified api is not found, please check your url and method (the emulator's STS answers ${[...STS_ACTIONS, "GetCallerIdentity"].join(", ")}).`,
      );
    return {
      action: authed.action,
      accessKeyId: authed.accessKeyId,
      temporary,
      answer: this.assumeRole(authed.params, this.ownerOf(authed.accessKeyId)),
    };
  }

  /**
   * `GetCallerIdentity`: a role session is its `AssumedRoleUser` (the role's ARN with the session
   * name) in the account it acts for; an account's own key, with or without a token of its own,
   * as {@link identityOf} answers.
   */
  private callerIdentity(accessKeyId: string, securityToken: string | undefined): Record<string, string> {
    const session = this.sessions.get(accessKeyId);
    const key = this.state.accounts.find((a) => a.accessKeyId === (session?.owner ?? accessKeyId))!;
    if (!session) return identityOf(key, securityToken);
    const [, roleName = "", sessionName = ""] = /:role\/([^/]*)\/(.*)$/.exec(session.assumedRoleArn) ?? [];
    return {
      IdentityType: "AssumedRoleUser",
      AccountId: key.accountId,
      Arn: `acs:ram::${key.accountId}:assumed-role/${roleName}/${sessionName}`,
      PrincipalId: `${session.assumedRoleId.split(":")[0]}:${sessionName}`,
      RoleId: session.assumedRoleId.split(":")[0]!,
    };
  }

  private assumeRole(p: Record<string, string>, owner: string): Record<string, unknown> {
    const role = this.role(p.RoleArn);
    const session = this.sessionName(p.RoleSessionName, true)!;
    if (p.Policy !== undefined) checkPolicy(p.Policy);
    return this.issue(role, session, owner, p.DurationSeconds);
  }

  private assumeWithOidc(p: Record<string, string>): Record<string, unknown> {
    for (const name of ["OIDCProviderArn", "RoleArn", "OIDCToken"]) if (!p[name]) throw missing(name);
    if (!OIDC_PROVIDER_ARN.test(p.OIDCProviderArn!))
      throw new ApiFault(
        "InvalidParameter.OIDCProviderArn",
        400,
        "The parameter OIDCProviderArn is wrongly formed.",
      );
    const known = this.options.oidcProviders;
    if (known && !known.includes(p.OIDCProviderArn!))
      throw new ApiFault(
        "EntityNotExist.OIDCProvider",
        404,
        `The OIDC provider does not exist: ${p.OIDCProviderArn}.`,
      );
    const role = this.role(p.RoleArn);
    const claims = oidcClaims(p.OIDCToken!, this.now());
    const session = this.sessionName(p.RoleSessionName, false) ?? `oidc-${randomBytes(4).toString("hex")}`;
    if (p.Policy !== undefined) checkPolicy(p.Policy);
    const owner =
      this.options.roles?.find((r) => r.arn === role.arn)?.accessKeyId ?? this.state.accounts[0]!.accessKeyId;
    const iso = (s: unknown) => (typeof s === "number" ? isoSeconds(s * 1000) : "");
    return {
      ...this.issue(role, session, owner, p.DurationSeconds),
      OIDCTokenInfo: {
        Subject: typeof claims.sub === "string" ? claims.sub : "",
        Issuer: typeof claims.iss === "string" ? claims.iss : "",
        ClientIds: Array.isArray(claims.aud) ? claims.aud.join(",") : String(claims.aud ?? ""),
        ExpirationTime: iso(claims.exp),
        IssuanceTime: iso(claims.iat),
        VerificationInfo: "Success",
      },
    };
  }

  private role(arn: string | undefined): { arn: string; account: string; name: string } {
    if (!arn) throw missing("RoleArn");
    const m = ROLE_ARN.exec(arn);
    if (!m) throw new ApiFault("InvalidParameter.RoleArn", 400, "The parameter RoleArn is wrongly formed.");
    if (this.options.roles && !this.options.roles.some((r) => r.arn === arn))
      throw new ApiFault("EntityNotExist.Role", 404, `The role not exists: ${arn}.`);
    return { arn, account: m[1]!, name: m[2]! };
  }

  private sessionName(name: string | undefined, required: boolean): string | undefined {
    if (name === undefined || name === "") {
      if (required) throw missing("RoleSessionName");
      return undefined;
    }
    if (!SESSION_NAME.test(name))
      throw new ApiFault(
        "InvalidParameter.RoleSessionName",
        400,
        "The parameter RoleSessionName is wrongly formed.",
      );
    return name;
  }

  private issue(
    role: { account: string; name: string },
    sessionName: string,
    owner: string,
    durationParam: string | undefined,
  ): Record<string, unknown> {
    const asked = durationParam === undefined || durationParam === "" ? 3600 : Number(durationParam);
    if (!Number.isInteger(asked) || asked < MIN_DURATION_S || asked > MAX_DURATION_S)
      throw new ApiFault(
        "InvalidParameter.DurationSeconds",
        400,
        `The parameter DurationSeconds must be between ${MIN_DURATION_S} and ${MAX_DURATION_S}.`,
      );
    const lifetime = Math.min(asked, this.lifetimeSeconds ?? asked);
    const assumedRoleArn = `acs:ram::${role.account}:role/${role.name.toLowerCase()}/${sessionName}`;
    const assumedRoleId = `3${randomBytes(8).readBigUInt64BE().toString().padStart(17, "0").slice(0, 17)}:${sessionName}`;
    const session: Session = {
      accessKeyId: `STS.${randomBytes(12).toString("hex")}`,
      accessKeySecret: randomBytes(24).toString("base64url"),
      securityToken: `CAESemulator${randomBytes(48).toString("base64url")}`,
      owner,
      expiresAt: this.now() + lifetime * 1000,
      assumedRoleArn,
      assumedRoleId,
    };
    this.forgetExpired();
    this.sessions.set(session.accessKeyId, session);
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        AccessKeySecret: session.accessKeySecret,
        SecurityToken: session.securityToken,
        Expiration: isoSeconds(session.expiresAt),
      },
      AssumedRoleUser: { Arn: assumedRoleArn, AssumedRoleId: assumedRoleId },
    };
  }

  /** Sessions expired for an hour are forgotten (their keys then answer InvalidAccessKeyId.NotFound). */
  private forgetExpired(): void {
    const cutoff = this.now() - 3_600_000;
    for (const [id, s] of this.sessions) if (s.expiresAt < cutoff) this.sessions.delete(id);
  }
}

function missing(name: string): ApiFault {
  return new ApiFault(
    "MissingParameter",
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

function checkPolicy(policy: string): void {
  try {
    const parsed: unknown = JSON.parse(policy);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return;
  } catch {
    // refused below
  }
  throw new ApiFault(
    "InvalidParameter.PolicyGrammar",
    400,
    "The parameter Policy has not passed grammar check.",
  );
}

/**
 * The claims of a JWT-shaped OIDC token (three base64url parts, a JSON payload), refused when it
 * is not one or its `exp` has passed. The signature, issuer and audience are not verified: the
 * emulator has no identity provider's keys.
 */
function oidcClaims(token: string, now: number): Record<string, unknown> {
  const parts = token.split(".");
  let claims: unknown;
  if (parts.length === 3 && token.length >= 4 && token.length <= 20_000)
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
    } catch {
      claims = undefined;
    }
  if (!claims || typeof claims !== "object" || Array.isArray(claims))
    throw new ApiFault(
      "AuthenticationFail.OIDCToken.Invalid",
      400,
      "The OIDCToken is invalid: it is not a JWT (three base64url parts with a JSON payload).",
    );
  const exp = (claims as { exp?: unknown }).exp;
  if (typeof exp !== "number" || exp * 1000 <= now)
    throw new ApiFault(
      "AuthenticationFail.OIDCToken.Expired",
      400,
      typeof exp === "number" ? "The OIDCToken is expired." : "The OIDCToken has no exp claim.",
    );
  return claims as Record<string, unknown>;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Writes an STS answer (JSON; the emulator's STS speaks JSON only). */
function sendStsJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, {
    "content-type": "application/json;charset=utf-8",
    "x-acs-request-id": String(body.RequestId ?? ""),
  });
  res.end(JSON.stringify(body));
}

/** What serving STS needs from the running emulator. */
export interface StsHost {
  sts: StsService;
  /** Access keys of the emulator's accounts, and temporary keys. */
  findAccount: AccountLookup;
  nonces: NonceCache;
  requestId(): string;
  now(): number;
  record(entry: {
    time: number;
    action: string;
    accessKeyId: string | null;
    temporary: boolean;
    outcome: string;
  }): void;
}

/** Answers one STS request and logs it (action, key, outcome; never parameters). */
export function serveSts(
  host: StsHost,
  req: { method: string; url: URL; headers: Record<string, string>; body: string },
  res: ServerResponse,
): void {
  const time = host.now();
  const hint =
    req.headers["x-acs-action"] ??
    req.url.searchParams.get("Action") ??
    new URLSearchParams(req.body).get("Action") ??
    "?";
  try {
    const { action, accessKeyId, temporary, answer } = host.sts.handle(req, host.findAccount, host.nonces);
    host.record({ time, action, accessKeyId, temporary, outcome: "OK" });
    sendStsJson(res, 200, { RequestId: host.requestId(), ...answer });
  } catch (e) {
    const fault =
      e instanceof ApiFault
        ? e
        : new ApiFault("InternalError", 500, String((e as Partial<Error> | null | undefined)?.message ?? e));
    host.record({ time, action: hint, accessKeyId: null, temporary: false, outcome: fault.code });
    const requestId = host.requestId();
    sendStsJson(res, fault.status, {
      RequestId: requestId,
      HostId: "sts.aliyuncs.com",
      Code: fault.code,
      Message: fault.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(fault.code)}&product=Sts&requestId=${requestId}`,
    });
  }
}
