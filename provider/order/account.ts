import { actingFor } from "../cas/acting-account";
import { createHash } from "node:crypto";
import type { CasClient } from "../cas/client";
import { CasError } from "../cas/errors";

/**
 * Where an order was placed: the endpoint and the Alibaba Cloud account id (STS
 * `GetCallerIdentity`, the same for access keys, STS tokens and role sessions). CAS answers
 * `NotFoundOrder` for an order of another account or site as for one that is gone, so a read or
 * destroy under other credentials must not take that answer as "gone".
 */
export interface Account {
  endpoint: string;
  /** `null` in state written before the account id was recorded, until its first successful read. */
  accountId: string | null;
  /**
   * State written before the account id: the first 16 hex digits of SHA-256 of the AccessKey id
   * (`null` for STS keys). Kept only until the account id is recorded.
   */
  accessKey?: string | null;
}

/** The account the client talks to now, and the credentials' source (for messages). */
export interface CurrentAccount {
  endpoint: string;
  accountId: string;
  /** Fingerprint of the access key in use (as older state recorded it); `null` for STS keys. */
  accessKey: string | null;
  /** Where the credentials came from (`environment ALIBABA_CLOUD_ACCESS_KEY_ID / …`), never values. */
  source: string;
  /** `Account`, `RAMUser` or `AssumedRoleUser`, as STS said. */
  identityType: string;
}

/**
 * The account of the credentials in use (one `GetCallerIdentity` per process and credentials). The
 * first one an operation learns is the account it acts for: every later call of the operation is
 * refused if the credentials switch to another account ({@link actingFor}).
 */
export async function currentAccount(api: CasClient): Promise<CurrentAccount> {
  const identity = await api.callerIdentity();
  actingFor(identity.accountId);
  const { accessKeyId, temporary, source } = api.identity;
  return {
    endpoint: api.endpoint.origin,
    accountId: identity.accountId,
    accessKey: temporary ? null : fingerprint(accessKeyId),
    source,
    identityType: identity.identityType,
  };
}

/** What a new order records: the endpoint and the account id. */
export function accountRecord(now: CurrentAccount): Account {
  return { endpoint: now.endpoint, accountId: now.accountId };
}

function fingerprint(accessKeyId: string): string {
  return createHash("sha256").update(accessKeyId).digest("hex").slice(0, 16);
}

const asAccount = (stored: unknown): Partial<Account> =>
  typeof stored === "object" && stored !== null ? stored : {};

/**
 * Refuses to act on order `id` when the state says it was placed in another account than the one
 * the credentials in use belong to: the error names both account ids and the fix. Nothing when
 * they match, or when the state does not record the account (older state: filled on its first
 * successful read).
 */
export function checkSameAccount(id: string, stored: unknown, now: CurrentAccount, doing: string): void {
  const then = asAccount(stored).accountId;
  if (typeof then !== "string" || then === now.accountId) return;
  throw new CasError(
    "OrderInAnotherAccount",
    `order ${id} was placed in Alibaba Cloud account ${then}, but the credentials in use (${now.source}) belong to account ${now.accountId}, ` +
      `so it was not ${doing}: under these credentials CAS would answer NotFoundOrder for it, and nothing of it changed. ` +
      `Use credentials of account ${then} (alicloud:accessKey / alicloud:secretKey, alicloud:profile, or their environment variables), ` +
      "then run the command again; if the stack should no longer hold this order, remove it with `pulumi state delete <urn>` (it stays in CAS)",
  );
}

/** The account to store after a successful read: the recorded one, completed with the account id. */
export function filledAccount(stored: unknown, now: CurrentAccount): Account {
  const then = asAccount(stored);
  if (typeof then.accountId === "string" && typeof then.endpoint === "string")
    return { endpoint: then.endpoint, accountId: then.accountId };
  // A successful read proves the order is in this account, through this endpoint.
  return {
    endpoint: typeof then.endpoint === "string" ? then.endpoint : now.endpoint,
    accountId: now.accountId,
  };
}

/** Whether the state records no account id yet (written before it was recorded). */
export function accountUnrecorded(stored: unknown): boolean {
  return typeof asAccount(stored).accountId !== "string";
}

/**
 * Why `NotFoundOrder` for order `id` does not prove it is gone because the state says it was placed
 * through another endpoint; `undefined` when the endpoints match or the state does not say.
 */
export function placedElsewhere(id: string, stored: unknown, now: CurrentAccount): string | undefined {
  const then = asAccount(stored);
  if (typeof then.endpoint === "string" && then.endpoint !== now.endpoint)
    return (
      `order ${id} was placed through ${then.endpoint}, but this provider talks to ${now.endpoint}. CAS answered NotFoundOrder, which under other credentials or another ` +
      "endpoint does not mean the order is gone, so it stays in the stack. Use the credentials and region it was placed with " +
      "(alicloud:accessKey, alicloud:region, alicloud:endpoints or their environment variables); if it really is gone, " +
      "remove it from the stack with `pulumi state delete <urn>`"
    );
  return undefined;
}

/**
 * Why `NotFoundOrder` for order `id` does not prove it is gone because nothing proves the
 * credentials in use belong to the account that placed it: the state was written before the
 * account id was recorded, and only the same AccessKey id would prove it. `undefined` when the
 * state records the account id (checked before any call, see {@link checkSameAccount}) or the key.
 */
export function accountUnproven(id: string, stored: unknown, now: CurrentAccount): string | undefined {
  const then = asAccount(stored);
  if (typeof then.accountId === "string") return undefined;
  if (typeof then.accessKey === "string" && then.accessKey === now.accessKey) return undefined;
  return (
    `order ${id}: CAS answered NotFoundOrder to account ${now.accountId} (${now.source}), but this order's state was written before the account was recorded, ` +
    "so it may have been placed in another account, whose orders CAS does not show to these credentials; it stays in the stack. " +
    "Refresh with the credentials it was placed with (its account is then recorded); if it really is gone, remove it from the stack with `pulumi state delete <urn>`"
  );
}
