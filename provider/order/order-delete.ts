import { accountUnproven, checkSameAccount, currentAccount, placedElsewhere } from "./account";
import { CasApiError, CasError } from "../cas/errors";
import type { ProviderContext } from "./context";
import { leftInCas, ownershipOf } from "./held-by";
import { INPUT_DEFAULTS } from "./inputs";
import { phaseOf } from "./lifecycle";
import { describeCandidates } from "./ownership";
import { lookAgain, pendingLine, type PendingCreate } from "./pending-create";
import type { OrderState } from "./state";

/**
 * CertificateOrder's destroy: the plan by what the resource holds (retained, taken by another
 * resource's create, of unknown or unconfirmed ownership: left in CAS) and by the order's phase in
 * CAS (withdraw a pending order, keep or revoke an issued one, never drop an unknown state).
 */
export async function deleteOrder(ctx: ProviderContext, props: OrderState): Promise<void> {
  const onDelete = props.onDelete ?? INPUT_DEFAULTS.onDelete;
  if (props.pendingCreate && onDelete !== "retain") {
    checkSameAccount(
      props.orderId,
      props.account,
      await currentAccount(ctx.client()),
      "looked for or removed",
    );
    return deletePending(ctx, props.pendingCreate);
  }
  const id = props.orderId;
  ctx.claims.claim(id);
  if (onDelete === "retain") {
    ctx.log(`order ${id}: onDelete=retain, left in CAS untouched`);
    return;
  }
  if (ctx.claims.wasTakenByCreate(id)) {
    ctx.log(
      `order ${id}: another resource of this deployment took this order in this run (adoptOrderId, or after a lost create answer), so it is left in CAS for that resource and only removed from this resource's state`,
    );
    return;
  }
  const ownership = ownershipOf(props, id, ctx.legacyOwnership());
  if (ownership === "unknown") {
    ctx.log(leftInCas(props, id));
    return;
  }
  if (ownership === "reconciled") {
    ctx.log(
      `order ${id}: taken after a lost create answer and never confirmed as this stack's (adoptOrderId), so left in CAS untouched; cancel it in the CAS console if it is yours`,
    );
    return;
  }
  const api = ctx.client();
  const now = await currentAccount(api);
  checkSameAccount(id, props.account, now, "withdrawn, revoked or removed from the stack");
  const gone = (e: unknown) => e instanceof CasApiError && e.code === "NotFoundOrder";
  try {
    // For the account checked: credentials switched meanwhile are refused, never read as "gone".
    const acting = { account: now.accountId };
    const { Type } = await api.call("DescribeCertificateState", { OrderId: id }, acting);
    const plan = phaseOf(Type).onDelete;
    if (plan.kind === "withdraw") {
      for (const action of plan.calls) await api.call(action, { OrderId: id }, acting);
      ctx.log(`order ${id}: ${plan.done}`);
    } else if (plan.kind === "keepOrRevoke" && onDelete === "revoke") {
      await api.call("CancelCertificateForPackageRequest", { OrderId: id }, acting);
      ctx.log(
        `order ${id}: certificate revoked (onDelete=revoke); quota returns only within 30 days of issuance`,
      );
    } else if (plan.kind === "keepOrRevoke") {
      ctx.log(
        `order ${id}: the issued certificate is kept valid in CAS (set onDelete=revoke to revoke it); removed from the stack`,
      );
    } else {
      // An order in a state this provider does not know may still hold quota: never drop it silently.
      throw new CasError(
        "UnknownOrderState",
        `order ${id} is in state ${Type}, which this provider does not know how to withdraw; it stays in the stack so its quota is not lost unnoticed. Check it in the CAS console, then destroy again, or set onDelete: "retain" to remove it from the stack and leave it in CAS`,
      );
    }
  } catch (e) {
    if (gone(e)) {
      const elsewhere = placedElsewhere(id, props.account, now) ?? accountUnproven(id, props.account, now);
      if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
      ctx.log(`order ${id} was already gone from CAS`);
      return;
    }
    if (e instanceof CasApiError && e.code === "DeleteFail")
      throw new CasError(
        "DeleteFail",
        `${e.message}. Order ${id} stays in the stack; a pending order has been withdrawn and holds its quota until it is deleted. Run \`pulumi destroy\` (or the \`pulumi up\` that replaces it) again to retry, or delete the order in the CAS console and then run \`pulumi refresh\``,
      );
    throw e;
  }
}

/**
 * Destroy of a resource whose create got no answer. It holds no order it can prove is its own, so it
 * withdraws nothing; what CAS lists for that request (or may still list) is named, left in CAS.
 */
async function deletePending(ctx: ProviderContext, p: PendingCreate): Promise<void> {
  const { found, windowEnds } = await lookAgain(
    ctx.client(),
    ctx.claims,
    p,
    ctx.placer().windowMs,
    ctx.clock.now(),
  );
  const open = ctx.clock.now() < windowEnds;
  if (found.length)
    ctx.log(
      `${pendingLine(p)}; CAS lists orders for these names and product since then, which it may have placed: ${describeCandidates(found)}. ` +
        "They are left in CAS (destroy withdraws nothing it cannot prove is this stack's): if one is this resource's, cancel it in the CAS console; removed from the stack",
    );
  else
    ctx.log(
      `${pendingLine(p)}; CAS lists no order for it${open ? ` yet (it may until ${new Date(windowEnds).toISOString()}: if one appears for these names, cancel it in the CAS console)` : " since"}, so nothing is withdrawn; removed from the stack`,
    );
}
