import type { OrderInputs, Failure } from "./inputs";
import { client, log } from "./settings";

/** Orders this provider process has seen planned per product code (one process serves a whole deployment). */
const planned = new Map<string, Set<string>>();

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
    const plan = await client().call("DescribePackageState", { ProductCode: inputs.productCode });
    remaining = plan.TotalCount - plan.UsedCount;
  } catch {
    return undefined;
  }
  if (set.size <= remaining) return undefined;
  const reason = `the ${inputs.productCode} plan has ${remaining} order(s) left and this deployment plans ${set.size}; buy more in the CAS console or order fewer`;
  if (inputs.quotaCheck === "fail") return { property: "productCode", reason };
  log(`warning: ${reason}`);
  return undefined;
}
