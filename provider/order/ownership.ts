import { CasError } from "../cas/errors";
import { bound, MAX_ECHOED_CHARS } from "../cas/redact";
import { listPages, type ListApi } from "./list-paging";
import type { OWNERSHIP_VALUES } from "./state";
import { CONTROL_CHARACTER } from "./input-values";
import { withoutWildcard } from "./record-name";

/** How a resource came to hold its order (see {@link OWNERSHIP_VALUES}). */
export type Ownership = (typeof OWNERSHIP_VALUES)[number];

/**
 * The API accepts requests whose clock is up to 15 minutes off the server's, and `BuyDate` is the
 * server's clock: a window measured with the local clock is widened by this much on each side.
 */
export const CLOCK_SKEW_MS = 15 * 60_000;

/**
 * What the resources of one provider process hold. No list item carries an owner, so within one
 * process this is the only proof of whose an order is: a held order is never a candidate for another
 * resource.
 */
export class Claims {
  /** Orders some resource placed, adopted, or holds in state. */
  private readonly held = new Set<string>();
  /**
   * Orders a create took without placing them (adopted, or reconciled after a lost answer). The
   * engine runs the deletes of replaced or renamed resources after the creates, without asking the
   * provider about them first, so such an order may still be in the state of a resource about to be
   * deleted: that delete must leave it to the resource that took it.
   */
  private readonly taken = new Set<string>();

  /** Marks an order as held by a resource. */
  claim(orderId: string): void {
    this.held.add(orderId);
  }

  /** Gives up a hold taken for an adoption that failed its check. */
  release(orderId: string): void {
    this.held.delete(orderId);
  }

  /** Whether a resource already holds `orderId`. */
  isClaimed(orderId: string): boolean {
    return this.held.has(orderId);
  }

  /** Records that a create took `orderId` it did not place. */
  recordTakenByCreate(orderId: string): void {
    this.held.add(orderId);
    this.taken.add(orderId);
  }

  /** Whether a create took `orderId` (adopted or reconciled). */
  wasTakenByCreate(orderId: string): boolean {
    return this.taken.has(orderId);
  }

  /** Forgets every claim: a new configuration may mean another account, whose OrderIds are another set. */
  reset(): void {
    this.held.clear();
    this.taken.clear();
  }
}

/** An order a lost create answer may have placed. */
export interface Candidate {
  orderId: string;
  /** `BuyDate` (server time, ms), when CAS gave one. */
  buyDate: number | null;
  names: string[];
  status: string;
}

/** What the provider does when a lost create answer leaves candidates: `stop` (default) or adopt a `unique` one. */
export type LostAnswerPolicy = "stop" | "unique";

/** The order's names as a sorted, comma-joined key. */
export const namesKey = (names: string[]): string => [...names].sort().join(",");

/** Every CPACK order whose names or id match `keyword` (ListUserCertificateOrder, all pages). */
async function listByKeyword(
  api: ListApi,
  keyword: string,
): Promise<Array<Candidate & { productCode: string | null }>> {
  const out: Array<Candidate & { productCode: string | null }> = [];
  for await (const items of listPages(api, { OrderType: "CPACK", Keyword: keyword })) {
    for (const o of items) {
      if (o.OrderId === undefined) continue;
      out.push({
        orderId: o.OrderId,
        buyDate: o.BuyDate ?? null,
        names: (o.Domain ?? "").split(",").filter(Boolean),
        status: o.Status ?? "?",
        productCode: o.ProductCode ?? null,
      });
    }
  }
  return out;
}

/**
 * Every CPACK order for exactly these names and product, whatever its age, found by listing with
 * the first name as `Keyword` (no action returns an order's names by OrderId).
 */
async function listOrdersFor(api: ListApi, productCode: string, names: string[]): Promise<Candidate[]> {
  const want = namesKey(names);
  return (await listByKeyword(api, withoutWildcard(names[0]!))).filter(
    (o) => namesKey(o.names) === want && o.productCode === productCode,
  );
}

/**
 * Checks that `orderId` is an order for exactly these names and product before a resource adopts
 * it, and that no other resource of this process holds it, reserving it for this one (released if
 * the check fails). Throws `AdoptMismatch` naming the difference.
 */
export async function verifyAdoption(
  orderId: string,
  productCode: string,
  names: string[],
  api: ListApi,
  claims: Claims,
): Promise<void> {
  const fail = (why: string) =>
    new CasError("AdoptMismatch", `adoptOrderId ${orderId}: ${why}. Nothing was adopted.`);
  if (claims.isClaimed(orderId))
    throw fail(
      "another resource of this deployment already holds this order; one order belongs to one resource",
    );
  // Reserved before the first await: two creates of this process adopting the same order at once
  // must not both pass the check above. Released if the adoption fails.
  claims.claim(orderId);
  try {
    await checkAdoptable(api, orderId, productCode, names, fail);
  } catch (e) {
    claims.release(orderId);
    throw e;
  }
}

async function checkAdoptable(
  api: ListApi,
  orderId: string,
  productCode: string,
  names: string[],
  fail: (why: string) => Error,
): Promise<void> {
  let found: (Candidate & { productCode: string | null }) | undefined;
  for (const n of names) {
    found = (await listByKeyword(api, withoutWildcard(n))).find((o) => o.orderId === orderId);
    if (found) break;
  }
  if (!found)
    throw fail(
      `CAS lists no such order for ${names.join(", ")} (ListUserCertificateOrder, OrderType CPACK, Keyword each name); ` +
        "check the id, or set domain/csr to the names the order was placed for",
    );
  // Server text: bounded and without control characters, as every echoed field.
  if (namesKey(found.names) !== namesKey(names))
    throw fail(
      `the order is for ${serverField(found.names.join(", "), 300)} but the inputs name ${names.join(", ")}; set domain/csr to the order's names`,
    );
  if (found.productCode !== productCode) {
    const listed = found.productCode === null ? null : serverField(found.productCode, 100);
    throw fail(
      `the order is for product ${listed ?? "(none listed)"} but productCode is ${productCode}; set productCode: "${listed ?? ""}"`,
    );
  }
}

/**
 * Orders a create sent at local time `sentAt` may have placed: same names and product, bought
 * within the skew-widened window, not revoked, and not held by another resource of this process.
 * An order without `BuyDate` stays a candidate (it cannot be ruled out).
 */
export async function findCandidates(
  api: ListApi,
  claims: Claims,
  productCode: string,
  names: string[],
  sentAt: number,
  now: number,
): Promise<Candidate[]> {
  const all = await listOrdersFor(api, productCode, names);
  return all.filter(
    (c) =>
      !claims.isClaimed(c.orderId) &&
      c.status !== "REVOKED" &&
      (c.buyDate === null || (c.buyDate >= sentAt - CLOCK_SKEW_MS && c.buyDate <= now + CLOCK_SKEW_MS)),
  );
}

/**
 * A server-provided field for an error message: control characters (an ANSI escape, a bell, a line
 * break that would fake a second error line) become spaces, and the length is bounded.
 */
function serverField(text: string, max: number): string {
  return bound(text.replace(new RegExp(CONTROL_CHARACTER, "gu"), " "), max);
}

/** One candidate for an error message: id, server-time purchase date, names, list status (each bounded). */
function describeCandidate(c: Candidate): string {
  const date = c.buyDate === null ? null : new Date(c.buyDate);
  const bought =
    date === null || Number.isNaN(date.getTime())
      ? "no BuyDate"
      : `bought ${date.toISOString()} (server time)`;
  return `OrderId ${serverField(c.orderId, 40)} (${bought}, ${serverField(c.names.join(","), 200)}, ${serverField(c.status, 40)})`;
}

/** Candidates listed in an error message; the rest are counted. */
const LISTED_CANDIDATES = 5;

/** The candidates for an error message: the first few, the rest counted, the server text within {@link MAX_ECHOED_CHARS}. */
export function describeCandidates(candidates: Candidate[]): string {
  const listed = candidates.slice(0, LISTED_CANDIDATES).map(describeCandidate).join("; ");
  const more = candidates.length - LISTED_CANDIDATES;
  return (
    bound(listed, MAX_ECHOED_CHARS) + (more > 0 ? `; and ${more} more (${candidates.length} in all)` : "")
  );
}

/** A lost create answer left orders that cannot be proven to be this resource's; `candidates` lists them. */
export class OwnershipUnprovenError extends CasError {
  constructor(
    message: string,
    readonly candidates: Candidate[],
  ) {
    super("OwnershipUnproven", message);
  }
}

/** The error for a lost create answer whose candidates cannot be proven to be this resource's. */
export function ownershipUnproven(
  action: string,
  names: string[],
  candidates: Candidate[],
  policy: LostAnswerPolicy,
): OwnershipUnprovenError {
  const why =
    policy === "unique"
      ? `${candidates.length} candidates (alicloud-cas:adoptAfterLostAnswer=unique adopts only a single one)`
      : "no list item carries an owner, so it cannot be proven which stack or resource placed them";
  return new OwnershipUnprovenError(
    `${action} for ${names.join(", ")} got no answer, so an order may exist, and CAS lists orders for the same ` +
      `names and product that are not reported by any resource of this deployment so far: ${describeCandidates(candidates)}. ` +
      `Nothing was adopted and no second order was placed: ${why}. ` +
      "First look for these OrderIds in your own stack (pulumi stack export): a resource of this stack that is " +
      "being replaced, renamed or removed in this update still holds its order, and the provider hears of it only " +
      "when its delete runs, after the creates. If the order is there under a renamed resource, add `aliases` to the " +
      "new one instead. " +
      `If one of them is this resource's order and no other stack holds it, set adoptOrderId to its OrderId ` +
      `(e.g. adoptOrderId: "${serverField(candidates[0]!.orderId, 40)}") and run pulumi up again (a resource of this stack deleted in the same update then leaves it in CAS); ` +
      "a stray order holds plan quota until it is cancelled in the CAS console. Single-writer setups can set alicloud-cas:adoptAfterLostAnswer=unique.",
    candidates,
  );
}
