// Taking an inactive instance from the account's pool is claimed, not assumed: the resource marks
// the instance with its own claim tag (UpdateInstance Tags), reads it back (GetInstanceDetail), and
// applies only when the mark is its own; after ApplyCertificate it reads again, and an instance that
// then holds another claim or other names is not this resource's (never cancelled; another is taken).
import { createHash, randomUUID } from "node:crypto";
import { CasApiError, CasError } from "../cas/errors";
import type { CasClient } from "../cas/client";
import type { InstanceDetail } from "../cas/instance-schemas";

/** The tag key of a claim; its value names the claiming resource (`""` = released). */
export const CLAIM_TAG = "pulumi-alicloud-cas:claim";

/**
 * The part of a claim that names the resource by its URN (the plugin's create receives it; a
 * dynamic provider's does not): `urn-<hash>.`. Each create adds a fresh part after it, so a
 * replacement, which has the URN of the resource it replaces, never holds that one's claim.
 */
export function urnMark(urn: string): string {
  return `urn-${createHash("sha256").update(urn).digest("hex").slice(0, 24)}.`;
}

/**
 * A create's claim: the owner's URN mark (when the front door knows the URN), then a fresh part.
 * The mark lets a later create of the same resource recognise what an earlier one marked before its
 * process stopped (claim.ts `claimFromPool`, instance-create.ts).
 */
export function newClaim(owner: string | undefined): string {
  return owner ? `${urnMark(owner)}${randomUUID()}` : randomUUID();
}

/** Whether `held` is a claim an earlier create of the resource named `owner` made (not `claim`, this one's). */
export function isEarlierClaim(held: string | undefined, claim: string, owner: string | undefined): boolean {
  return !!owner && !!held && held !== claim && held.startsWith(urnMark(owner));
}

/** The claim a detail answer carries (`undefined` when none, or released). */
export function claimOf(d: InstanceDetail): string | undefined {
  const v = d.Tags?.find((t) => t.TagKey === CLAIM_TAG)?.TagValue;
  return v ? v : undefined;
}

/** UpdateInstance or ApplyCertificate refused because an application is under review on the instance. */
export function isTakenRefusal(e: unknown): boolean {
  return e instanceof CasApiError && /UpdateProtection|StatusNotSupport/.test(e.code);
}

/** The names of an application (`Domain`), lower-case and sorted. */
export function applicationNames(d: InstanceDetail): string[] {
  return (d.Domain ?? "")
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}

/** The tags UpdateInstance sends: the claim first, then the user's (the claim key is reserved). */
export function instanceTags(claim: string, tags: Record<string, string>) {
  return [
    { TagKey: CLAIM_TAG, TagValue: claim },
    ...Object.entries(tags)
      .filter(([k]) => k !== CLAIM_TAG)
      .map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  ];
}

/** Whether an instance answer is this resource's application: its claim, and the names it applied for. */
export function holdsApplication(d: InstanceDetail, claim: string, domains: readonly string[]): boolean {
  return claimOf(d) === claim && JSON.stringify(applicationNames(d)) === JSON.stringify([...domains].sort());
}

/**
 * Marks one inactive TEST instance of the pool with `claim` and returns its id once the mark reads
 * back as this resource's. Instances already marked by another resource, or changed under it, are
 * passed over; one an earlier create of this resource (`owner`, its URN) marked and never applied
 * on is taken again when the search reaches it. `skip` are ids this resource found taken after
 * applying.
 */
export async function claimFromPool(
  api: CasClient,
  claim: string,
  skip: ReadonlySet<string>,
  marked: Set<string>,
  log: (line: string) => void,
  owner?: string,
): Promise<string> {
  for (let page = 1; ; page++) {
    const list = await api.call("ListInstances", {
      InstanceType: "TEST",
      Status: "inactive",
      CurrentPage: page,
      ShowSize: 50,
    });
    for (const item of list.InstanceList) {
      const id = item.InstanceId;
      if (!id || skip.has(id)) continue;
      const before = await api.call("GetInstanceDetail", { InstanceId: id });
      const held = claimOf(before);
      const earlier = isEarlierClaim(held, claim, owner);
      if (before.Status !== "inactive" || (held !== undefined && held !== claim && !earlier)) continue;
      if (earlier)
        log(
          `instance ${id}: marked by an earlier create of this resource that never applied on it; taking it again`,
        );
      // Noted before the call: a lost answer may still have marked it (released if the create fails).
      marked.add(id);
      try {
        await api.call("UpdateInstance", { InstanceId: id, Tags: instanceTags(claim, {}) });
      } catch (e) {
        // Another resource applied on it meanwhile: take the next one.
        if (isTakenRefusal(e)) continue;
        throw e;
      }
      const after = await api.call("GetInstanceDetail", { InstanceId: id });
      if (after.Status === "inactive" && claimOf(after) === claim) return id;
      log(`instance ${id}: claimed by another resource at the same time; taking another`);
    }
    if (page * 50 >= list.TotalCount || list.InstanceList.length === 0) break;
  }
  throw new CasError(
    "NoInactiveTestInstance",
    "instanceType TEST: the account has no inactive TEST certificate instance left to take (GetInstanceSummary InactiveCount). Get free test instances in the CAS console (20 a year per account), free one by destroying an InstanceCertificate still pending, or name a bought instance with instanceId",
  );
}
