import { createHash } from "node:crypto";
import type { Account, EmulatorState } from "./state";

// `GetCallerIdentity` is served by the emulator's STS (sts.ts); this module says who a key is.

/** The role an STS token of the emulator's own keys (option `securityTokens`) stands for. */
const TOKEN_ROLE_NAME = "cas-emulator-sts";

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
