import { CasApiError, CasError } from "../cas/errors";
import type { CasClient } from "../cas/client";
import { NO_NEW_PLANS, type QuotaCheck } from "./quota";

/**
 * Turns a create's `NotRemainCount` (or `NotFoundPackage`) into an error that says what happened and what to do. What
 * happened depends on what this deployment's quota check saw: too few orders left (it warned, and
 * quotaCheck "warn" lets the order go ahead), enough (so something else on the same account, another
 * stack, a person, a script, took the plan's last slots since), or nothing (no check read the plan).
 * The plan's figures are read again for the message. Any other error is returned unchanged.
 */
export async function explainQuotaExhausted(
  api: () => Pick<CasClient, "call">,
  quota: Pick<QuotaCheck, "seen">,
  error: unknown,
  productCode: string,
): Promise<unknown> {
  if (error instanceof CasApiError && error.code === "NotFoundPackage")
    return new CasError(
      "NotFoundPackage",
      `the account holds no ${productCode} plan (CAS: ${error.apiMessage}). Nothing was ordered for this resource. ` +
        `Check productCode against the plans in the CAS console (another product code, or another account's credentials). ${NO_NEW_PLANS}.`,
      { cause: error },
    );
  if (!(error instanceof CasApiError) || error.code !== "NotRemainCount") return error;
  let now = "its current figures could not be read";
  try {
    const plan = await api().call("DescribePackageState", { ProductCode: productCode });
    now = `it has used ${plan.UsedCount} of ${plan.TotalCount} now`;
  } catch (e) {
    now += ` (${(e as Error).message})`;
  }
  const saw = quota.seen(productCode);
  const what = !saw
    ? 'no quota check read this plan in this deployment (quotaCheck is "off", or reading the plan failed)'
    : saw.remaining < saw.planned
      ? `this deployment's quota check saw ${saw.remaining} order(s) left for the ${saw.planned} it plans and only warned, since quotaCheck "warn" lets orders go ahead (set quotaCheck: "fail" to stop at preview instead)`
      : "another stack or user on this account took the last ones after this deployment's quota check";
  return new CasError(
    "NotRemainCount",
    `the ${productCode} plan has no orders left (${now}): ${what}. ` +
      "Nothing was ordered for this resource. Buy more of this plan in the CAS console, or free orders you do not need (destroy unused CertificateOrders; failed or withdrawn orders give their quota back when deleted), then run pulumi up again. " +
      `${NO_NEW_PLANS}.`,
    { cause: error },
  );
}
