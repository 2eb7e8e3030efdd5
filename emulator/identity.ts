import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { authenticate, type RawRequest } from "./auth";
import type { EmulatorCore } from "./core";
import { ApiFault } from "./faults";
import type { Account, EmulatorState } from "./state";

/** The STS API version (`GetCallerIdentity`, RPC style). */
export const STS_VERSION = "2015-04-01";

/** The role an STS token of the emulator's own keys (option `securityTokens`) stands for. */
export const TOKEN_ROLE_NAME = "cas-emulator-sts";

/** One STS request in the emulator's log (never parameters or secrets). */
export interface StsLogEntry {
  time: number;
  action: string;
  accessKeyId: string | null;
  /** The account the key belongs to, once the key is known. */
  accountId: string | null;
  /** Whether the request carried an STS token. */
  temporary: boolean;
  outcome: string;
}

/**
 * Whether a request is for STS rather than CAS: the emulator serves both on one origin, and the
 * API version (`x-acs-version`, or `Version` in the query or form body) tells them apart.
 */
export function isStsRequest(req: RawRequest): boolean {
  const version =
    req.headers["x-acs-version"] ??
    req.url.searchParams.get("Version") ??
    new URLSearchParams(req.body).get("Version");
  return version === STS_VERSION;
}

/** Digits derived from `seed` (stable across restarts): ids the emulator shows but never stores. */
function digitsOf(seed: string, length: number): string {
  const n = BigInt(`0x${createHash("sha256").update(seed).digest("hex")}`);
  return `1${(n % 10n ** BigInt(length - 1)).toString().padStart(length - 1, "0")}`;
}

/**
 * What `GetCallerIdentity` answers for `key` (RequestId aside), as STS does: a key of the account
 * itself is `Account` (ARN `acs:ram::<id>:root`, user and principal the account id); a request
 * with an STS token is an `AssumedRoleUser` of the key's account (ARN
 * `acs:ram::<id>:assumed-role/<role>/<session>`, `RoleId`, no `UserId`).
 */
export function callerIdentity(key: Account, securityToken: string | undefined): Record<string, string> {
  const accountId = key.accountId;
  if (securityToken === undefined)
    return {
      IdentityType: "Account",
      AccountId: accountId,
      Arn: `acs:ram::${accountId}:root`,
      PrincipalId: accountId,
      UserId: accountId,
    };
  const roleId = digitsOf(`${accountId}:${TOKEN_ROLE_NAME}`, 17);
  const session = createHash("sha256").update(securityToken).digest("hex").slice(0, 12);
  return {
    IdentityType: "AssumedRoleUser",
    AccountId: accountId,
    Arn: `acs:ram::${accountId}:assumed-role/${TOKEN_ROLE_NAME}/${session}`,
    PrincipalId: `${roleId}:${session}`,
    RoleId: roleId,
  };
}

/** The account an access key belongs to; `undefined` for a key the emulator does not know. */
export function accountIdOf(state: EmulatorState, accessKeyId: string): string | undefined {
  return state.accounts.find((a) => a.accessKeyId === accessKeyId)?.accountId;
}

/**
 * Answers one STS request: authenticated as CAS requests are (either signature, token, skew,
 * nonce), with the STS version; `GetCallerIdentity` is served, any other action is not found.
 * CAS faults and throttling do not apply (another service).
 */
export function serveSts(core: EmulatorCore, req: RawRequest, res: ServerResponse): void {
  const started = core.now();
  let accessKeyId: string | null = null;
  let temporary = false;
  let action = req.headers["x-acs-action"] ?? req.url.searchParams.get("Action") ?? "?";
  const reply = (status: number, body: Record<string, unknown>, outcome: string) => {
    core.stsLog.push({
      time: started,
      action,
      accessKeyId,
      accountId: accessKeyId === null ? null : (accountIdOf(core.state, accessKeyId) ?? null),
      temporary,
      outcome,
    });
    if (core.stsLog.length > 10_000) core.stsLog.splice(0, core.stsLog.length - 10_000);
    const requestId = core.rng.requestId();
    res.writeHead(status, {
      "content-type": "application/json;charset=utf-8",
      "x-acs-request-id": requestId,
    });
    res.end(JSON.stringify({ RequestId: requestId, ...body }));
  };
  try {
    const authed = authenticate(
      req,
      (id) => core.state.accounts.find((a) => a.accessKeyId === id),
      core.nonces,
      started,
      STS_VERSION,
    );
    ({ action, accessKeyId } = authed);
    temporary = authed.securityToken !== undefined;
    if (action !== "GetCallerIdentity")
      throw new ApiFault(
        "InvalidAction.NotFound",
        404,
        `Specified api is not found, please check your url and method. (this emulator's STS serves GetCallerIdentity only)`,
      );
    const key = core.state.accounts.find((a) => a.accessKeyId === authed.accessKeyId)!;
    reply(200, callerIdentity(key, authed.securityToken), "OK");
  } catch (e) {
    const fault =
      e instanceof ApiFault ? e : new ApiFault("InternalError", 500, String((e as Error)?.message ?? e));
    reply(fault.status, { HostId: "sts.aliyuncs.com", Code: fault.code, Message: fault.message }, fault.code);
  }
}
