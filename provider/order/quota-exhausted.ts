import { CasApiError, CasError } from "../cas/errors";
import { client } from "./settings";

/**
 * Turns a create's `NotRemainCount` into an error that says what happened and what to do: the
 * preview's quota check passed, so something else (another stack, a person, a script on the same
 * account) took the plan's last slots since. The plan's figures are read again for the message.
 * Any other error is returned unchanged.
 */
export async function explainQuotaExhausted(error: unknown, productCode: string): Promise<unknown> {
  if (!(error instanceof CasApiError) || error.code !== "NotRemainCount") return error;
  let now = "its current figures could not be read";
  try {
    const plan = await client().call("DescribePackageState", { ProductCode: productCode });
    now = `it has used ${plan.UsedCount} of ${plan.TotalCount} now`;
  } catch (e) {
    now += ` (${(e as Error).message})`;
  }
  return new CasError(
    "NotRemainCount",
    `the ${productCode} plan has no orders left (${now}): another stack or user on this account took the last ones after this deployment's quota check. ` +
      "Nothing was ordered for this resource. Buy more of this plan in the CAS console, or free orders you do not need (destroy unused CertificateOrders; failed or withdrawn orders give their quota back when deleted), then run pulumi up again.",
    { cause: error },
  );
}
