// Which account an InstanceCertificate's instance is in. CAS answers NotFound.Instance for an
// instance of another account as for one that does not exist, and a wrong endpoint (a web server, a
// gateway) may answer a bare HTTP 404: neither may be taken as "the instance is gone".
import { CasApiError, CasError } from "../cas/errors";
import type { CurrentAccount } from "../order/account";

/** CAS's error code for an instance id it does not know (under the credentials in use). */
const INSTANCE_NOT_FOUND = "NotFound.Instance";

/** Whether `e` is CAS's own answer that it knows no such instance (never a bare HTTP 404). */
export function isInstanceNotFound(e: unknown): e is CasApiError {
  return e instanceof CasApiError && e.code === INSTANCE_NOT_FOUND;
}

/**
 * Refuses to act on instance `id` when the state says its application was made in another account
 * than the one the credentials in use belong to: the error names both account ids and the fix.
 * Nothing when they match, or when the state does not record the account (older state: filled on
 * its first successful read).
 */
export function checkInstanceAccount(
  id: string,
  accountId: string | null,
  now: CurrentAccount,
  doing: string,
): void {
  if (accountId === null || accountId === now.accountId) return;
  throw new CasError(
    "InstanceInAnotherAccount",
    `instance ${id} is in Alibaba Cloud account ${accountId} (this resource applied on it there), but the credentials in use (${now.source}) belong to account ${now.accountId}, ` +
      `so it was not ${doing}: under these credentials CAS would answer ${INSTANCE_NOT_FOUND} for it, and nothing of it changed. ` +
      `Use credentials of account ${accountId} (alicloud:accessKey / alicloud:secretKey, alicloud:profile, or their environment variables), ` +
      "then run the command again; if the stack should no longer hold this instance's application, remove it with `pulumi state delete <urn>` (it stays in CAS)",
  );
}

/**
 * Why CAS's not-found answer for instance `id` does not prove it is gone: the state was written
 * before the account id was recorded, so the instance may be in another account. `undefined` when
 * the state records the account id (checked before any call, see {@link checkInstanceAccount}).
 */
export function instanceAccountUnproven(
  id: string,
  accountId: string | null,
  now: CurrentAccount,
): string | undefined {
  if (accountId !== null) return undefined;
  return (
    `instance ${id}: CAS answered ${INSTANCE_NOT_FOUND} to account ${now.accountId} (${now.source}), but this resource's state was written before the account was recorded, ` +
    "so the instance may be in another account, whose instances CAS does not show to these credentials; it stays in the stack. " +
    "Refresh with the credentials it was applied with (its account is then recorded); if it really is gone, remove it from the stack with `pulumi state delete <urn>`"
  );
}
