import type { OrderInputs, Failure } from "./inputs";
import { client, log } from "./settings";

/** Orders this provider process has seen planned per product code (one process serves a whole deployment). */
const planned = new Map<string, Set<string>>();
/** One plan look-up per product code per minute: a preview of 200 orders asks once, not 200 times. */
const lookups = new Map<string, { at: number; remaining: Promise<number> }>();
const LOOKUP_TTL_MS = 60_000;

function remainingOrders(productCode: string): Promise<number> {
  const hit = lookups.get(productCode);
  if (hit && Date.now() - hit.at < LOOKUP_TTL_MS) return hit.remaining;
  const remaining = client()
    .call("DescribePackageState", { ProductCode: productCode })
    .then((plan) => plan.TotalCount - plan.UsedCount);
  lookups.set(productCode, { at: Date.now(), remaining });
  remaining.catch(() => lookups.delete(productCode));
  return remaining;
}

/**
 * Quota-aware preview: counts the new orders planned for each product code in this deployment
 * and compares with `DescribePackageState`. Warns (default) or fails (`quotaCheck: "fail"`).
 * Silent when no credentials are available or the look-up fails: it is advice, not a gate.
 */
export async function checkQuota(inputs: OrderInputs): Promise<Failure | undefined> {
  if (inputs.quotaCheck === "off" || inputs.adoptOrderId) return undefined;
  const key = `${inputs.domain ?? ""}|${inputs.csr ?? ""}`;
  const set = planned.get(inputs.productCode) ?? new Set<string>();
  set.add(key);
  planned.set(inputs.productCode, set);
  let remaining: number;
  try {
    remaining = await remainingOrders(inputs.productCode);
  } catch {
    return undefined;
  }
  if (set.size <= remaining) return undefined;
  const reason = `the ${inputs.productCode} plan has ${remaining} order(s) left and this deployment plans ${set.size}; buy more in the CAS console or order fewer`;
  if (inputs.quotaCheck === "fail") return { property: "productCode", reason };
  log(`warning: ${reason}`);
  return undefined;
}
