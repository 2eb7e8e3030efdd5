import type { Clock } from "../../runtime/clock";
import { CasApiError, CasCredentialsError, CREDENTIAL_ERROR_CODES } from "../cas/errors";
import { INPUT_DEFAULTS, type Failure } from "./inputs";
import type { PreviewInputs } from "./state";

/** Plans are sold no more: what a user without plan quota takes instead. */
export const NO_NEW_PLANS =
  "Alibaba Cloud sells no new plans: without plan quota, certificates come from certificate instances, the InstanceCertificate resource (docs/instance-certificates.md)";

/** One plan look-up per product code per minute: a preview of 200 orders asks once, not 200 times. */
/** How long one plan look-up is reused: a long `up` looks the plan up again once per this period. */
export const LOOKUP_TTL_MS = 60_000;

/** What the quota check reads from outside: the plan, the time, the log (tests pass fakes). */
export interface QuotaSources {
  /** Orders left in the plan of `productCode` (`TotalCount − UsedCount` of `DescribePackageState`). */
  remaining(productCode: string): Promise<number>;
  clock: Pick<Clock, "now">;
  log(message: string): void;
}

/** A quota check with its own memory of planned orders, look-ups and reported skips. */
export interface QuotaCheck {
  (inputs: PreviewInputs): Promise<Failure | undefined>;
  /**
   * What the last check saw for `productCode`: orders left and orders planned; `undefined` when
   * no check read the plan (quotaCheck "off", or the read failed).
   */
  seen(productCode: string): { remaining: number; planned: number } | undefined;
  /** Forgets everything: a new configuration may be another account, endpoint or deployment. */
  reset(): void;
}

/**
 * Quota-aware preview: counts the new orders planned for each product code in this deployment
 * and compares with `DescribePackageState`. Warns (default) or fails (`quotaCheck: "fail"`).
 * When the plan cannot be read (no credentials, API error) `warn` logs that the check was skipped
 * and why, and `fail` fails: the user asked for a gate, so an unchecked plan does not pass it.
 */
export function quotaCheck(sources: QuotaSources): QuotaCheck {
  /** Orders seen planned per product code (one provider process serves a whole deployment). */
  const planned = new Map<string, Set<string>>();
  const lookups = new Map<string, { at: number; remaining: Promise<number> }>();
  /** Product codes whose skipped check was already reported: one line, not one per order. */
  const skipReported = new Set<string>();
  /** What the last check saw per product code, for the create's NotRemainCount error. */
  const seen = new Map<string, { remaining: number; planned: number }>();

  function remainingOrders(productCode: string): Promise<number> {
    const hit = lookups.get(productCode);
    if (hit && sources.clock.now() - hit.at < LOOKUP_TTL_MS) return hit.remaining;
    const remaining = sources.remaining(productCode);
    lookups.set(productCode, { at: sources.clock.now(), remaining });
    remaining.catch(() => lookups.delete(productCode));
    return remaining;
  }

  const check = async (checked: PreviewInputs): Promise<Failure | undefined> => {
    if (checked.quotaCheck === "off" || checked.adoptOrderId) return undefined;
    // `check` applied the defaults; a value still unknown in a preview counts as itself.
    const inputs = { ...checked, productCode: checked.productCode ?? INPUT_DEFAULTS.productCode! };
    const names = Array.isArray(inputs.domains) ? [...inputs.domains].sort() : [inputs.domains ?? ""];
    const key = `${inputs.domain ?? ""}|${names.join(",")}|${inputs.csr ?? ""}`;
    const set = planned.get(inputs.productCode) ?? new Set<string>();
    set.add(key);
    planned.set(inputs.productCode, set);
    let remaining: number;
    try {
      remaining = await remainingOrders(inputs.productCode);
    } catch (e) {
      const why =
        e instanceof CasCredentialsError
          ? `no credentials: ${e.message}`
          : `reading the plan (DescribePackageState) failed: ${(e as Error).message}`;
      if (inputs.quotaCheck === "fail")
        return {
          property: "quotaCheck",
          reason: `quotaCheck is "fail" but the ${inputs.productCode} plan could not be checked (${why}). Fix that, or set quotaCheck to "warn" to order without the check.`,
        };
      if (!skipReported.has(inputs.productCode)) {
        skipReported.add(inputs.productCode);
        sources.log(`quota check for ${inputs.productCode} skipped (${credentialProblem(e) ?? why})`);
      }
      return undefined;
    }
    seen.set(inputs.productCode, { remaining, planned: set.size });
    if (set.size <= remaining) return undefined;
    const reason = `the ${inputs.productCode} plan has ${remaining} order(s) left and this deployment plans ${set.size}; buy more in the CAS console or order fewer (${NO_NEW_PLANS})`;
    if (inputs.quotaCheck === "fail") return { property: "productCode", reason };
    sources.log(`warning: ${reason}`);
    return undefined;
  };
  const reset = () => {
    planned.clear();
    lookups.clear();
    skipReported.clear();
    seen.clear();
  };
  return Object.assign(check, { seen: (productCode: string) => seen.get(productCode), reset });
}

/**
 * A short line for a check skipped for want of working credentials. The create of every order
 * fails the same way and its error carries the whole explanation (where credentials were looked for,
 * or which ones were refused and the usual causes): said again here, it stood beside every one.
 */
export function credentialProblem(e: unknown): string | undefined {
  const after = "pulumi up stops at the first call that needs them, and that error says";
  if (e instanceof CasCredentialsError)
    return `no credentials found: set alicloud:accessKey and alicloud:secretKey, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; ${after} every place looked at`;
  // CAS's refusal, or STS's when asked first which account the credentials belong to (its cause).
  for (let c: unknown = e, depth = 0; c && depth < 4; c = (c as Error).cause, depth++)
    if (c instanceof CasApiError && CREDENTIAL_ERROR_CODES.has(c.code))
      return `the credentials were refused (${c.code}); ${after} which credentials are in use and the usual causes`;
  return undefined;
}
