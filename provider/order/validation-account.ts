// Which account a CertificateOrderValidation waited in. CAS answers NotFoundOrder (NotFound.Instance)
// for an order (instance) of another account as for one that is gone, so a validation read under
// other credentials must not drop itself on that answer: it records the account id, like its order.
import { CasError } from "../cas/errors";
import { currentAccount, type CurrentAccount } from "./account";
import type { ProviderContext } from "./context";
import type { VALIDATION_STATE } from "./validation-inputs";

type Stored = ReturnType<typeof VALIDATION_STATE.read>;

/** What a validation waits for, as its messages name it. */
export interface ValidationTarget {
  /** `order` or `instance`. */
  kind: "order" | "instance";
  id: string;
}

const target = (t: ValidationTarget) => `${t.kind} ${t.id}`;
const notFound = (t: ValidationTarget) => (t.kind === "order" ? "NotFoundOrder" : "NotFound.Instance");

/**
 * Refuses to act on a validation recorded in another account than the one the credentials in use
 * belong to, before any call: the error names both account ids and the fix (the same code as its
 * order's or instance's refusal). Nothing when they match, or when the state does not record the
 * account (older state: filled on its first successful read).
 */
function checkValidationAccount(
  t: ValidationTarget,
  accountId: string | null,
  now: CurrentAccount,
  doing: string,
): void {
  if (accountId === null || accountId === now.accountId) return;
  throw new CasError(
    t.kind === "order" ? "OrderInAnotherAccount" : "InstanceInAnotherAccount",
    `the CertificateOrderValidation of ${target(t)} waited in Alibaba Cloud account ${accountId}, but the credentials in use (${now.source}) belong to account ${now.accountId}, ` +
      `so it was not ${doing}: under these credentials CAS would answer ${notFound(t)} for the ${t.kind}, and nothing changed. ` +
      `Use credentials of account ${accountId} (alicloud:accessKey / alicloud:secretKey, alicloud:profile, or their environment variables), ` +
      "then run the command again; if the stack should no longer hold this validation, remove it with `pulumi state delete <urn>` (the certificate stays in CAS)",
  );
}

/**
 * Why CAS's not-found answer does not prove the validation's order (instance) is gone: the state
 * was written before the account id was recorded, so it may be in another account. `undefined`
 * when the state records the account id (checked before any call).
 */
export function validationAccountUnproven(
  t: ValidationTarget,
  accountId: string | null,
  now: CurrentAccount,
): string | undefined {
  if (accountId !== null) return undefined;
  return (
    `${target(t)}: CAS answered ${notFound(t)} to account ${now.accountId} (${now.source}), but this CertificateOrderValidation's state was written before the account was recorded, ` +
    `so the ${t.kind} may be in another account, whose ${t.kind}s CAS does not show to these credentials; the validation stays in the stack. ` +
    "Refresh with the credentials it was created with (its account is then recorded); if the " +
    `${t.kind} really is gone, remove the validation from the stack with \`pulumi state delete <urn>\``
  );
}

/** What a validation waits for: its order, or its instance. */
export const targetOf = (p: { orderId?: string | null; instanceId?: string | null }): ValidationTarget =>
  p.instanceId ? { kind: "instance", id: p.instanceId } : { kind: "order", id: p.orderId ?? "" };

/**
 * The account the credentials in use belong to, after refusing them when the state records another
 * one (nothing is asked of CAS then).
 */
export async function checkedAccount(
  ctx: ProviderContext,
  props: Stored,
  doing: string,
): Promise<CurrentAccount> {
  const now = await currentAccount(ctx.client());
  checkValidationAccount(targetOf(props), props.accountId, now, doing);
  return now;
}

/** The state with the account id filled (state of an earlier release) after a read that proves the account. */
export function withAccount(ctx: ProviderContext, props: Stored, now: CurrentAccount): Stored {
  if (props.accountId !== null) return props;
  ctx.log(
    `${targetOf(props).kind} ${targetOf(props).id}: its CertificateOrderValidation waited in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
  );
  return { ...props, accountId: now.accountId };
}
