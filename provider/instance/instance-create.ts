import { CasError } from "../cas/errors";
import type { InstanceDetail } from "../cas/instance-schemas";
import { currentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { parseProps } from "../order/parse-state";
import { CLAIM_TAG, claimFromPool, claimOf, isEarlierClaim, newClaim } from "./claim";
import { inputsOnly, instanceInputsSchema, type InstanceState } from "./inputs";
import { applyOn, contactIdsFor, releaseAfterFailure, waitForRecords } from "./instance-application";
import { publishListOfState } from "./instance-publish";
import { settingsOf, toState } from "./instance-status";

/**
 * InstanceCertificate's create: the contact (given, found by email, else created), the instance
 * (named, or claimed from the TEST pool: claim.ts), UpdateInstance + ApplyCertificate, a read-back
 * that proves the application is this resource's, then the validation records once they are stable;
 * a failed create releases the instances it marked. `owner` is the resource's URN when the front
 * door knows it (the plugin): its claims then carry the URN's mark, and what an earlier create of the
 * same resource marked before its process stopped is recognised (claim.ts).
 */
export async function createInstance(c: ProviderContext, checked: Record<string, unknown>, owner?: string) {
  const p = parseProps(instanceInputsSchema, inputsOnly(checked), "InstanceCertificate inputs");
  const api = c.client();
  const io = { api, clock: c.clock, log: c.log };
  const s = await settingsOf(p);
  // The account the instance is in: read, updated and destroyed only under its credentials.
  const { accountId } = await currentAccount(api);
  const contactIds = await contactIdsFor(api, c.log, p);
  // A fresh claim per attempt, so a replacement (which has its resource's URN) never holds the claim
  // of the one it replaces. Without an owner (the dynamic provider sees no resource identity that
  // tells two stacks of one project apart) a rerun after a crash between the mark and the state write
  // cannot recognise its earlier claim (docs/instance-certificates.md says what is left then).
  const claim = newClaim(owner);
  const skip = new Set<string>();
  const marked = new Set<string>();
  let detail: InstanceDetail | undefined;
  let instanceId = p.instanceId ?? "";
  try {
    while (!detail) {
      if (!p.instanceId) instanceId = await claimFromPool(api, claim, skip, marked, c.log, owner);
      else {
        const d = await api.call("GetInstanceDetail", { InstanceId: instanceId });
        const held = claimOf(d);
        // One this resource's URN marks and nothing is applied on: an earlier create of it stopped
        // between its mark and the state write (or the replaced resource's application is gone).
        const earlier = isEarlierClaim(held, claim, owner) && d.Status === "inactive";
        if (held && held !== claim && !earlier)
          throw new CasError(
            "InstanceHeld",
            isEarlierClaim(held, claim, owner)
              ? earlierHeld(instanceId, held, d)
              : `instanceId ${instanceId}: the instance is held by another InstanceCertificate (${CLAIM_TAG}=${held}${d.Domain ? `, applied for ${d.Domain}` : ""}; status ${d.Status ?? "unknown"}); an instance holds one resource's application. Name another instance; to rename the resource, give it the aliases option (a new name creates the new resource before the old one is deleted); to move the instance here, destroy the resource holding it first (its destroy releases the claim), or, if no stack holds it any more, set the tag ${CLAIM_TAG} on the instance to an empty value in the CAS console`,
          );
        if (earlier)
          c.log(
            `instance ${instanceId}: marked by an earlier create of this resource that never applied on it; taking it again`,
          );
        if (d.Status === "pending")
          throw new CasError(
            "InstanceBusy",
            `instanceId ${instanceId}: the instance has an application under review that no InstanceCertificate holds; name another instance, or cancel that application first (CAS console)`,
          );
        marked.add(instanceId);
      }
      const applied = await applyOn(io, instanceId, s, claim, contactIds, !p.instanceId);
      if (applied !== "taken") detail = applied;
      else if (p.instanceId)
        throw new CasError(
          "InstanceTaken",
          `instanceId ${instanceId}: another application was submitted on this instance at the same time; it was left alone. Name another instance`,
        );
      else {
        c.log(`instance ${instanceId}: another resource's application is on it; taking another`);
        skip.add(instanceId);
      }
    }
  } catch (e) {
    throw await releaseAfterFailure(io, e, marked, claim, s.domains);
  }
  const base = {
    schemaVersion: 2 as const,
    instanceId,
    accountId,
    pinned: !!p.instanceId,
    claim,
    contactIds,
    ...s,
  };
  let outs: InstanceState;
  try {
    const { last, withRecords } = await waitForRecords(io, instanceId);
    outs = toState(base, last, withRecords && toState(base, withRecords));
  } catch (e) {
    // The application is this resource's: keep it in state (partial failure); refresh reads it again.
    const message = `instance ${instanceId}: applied for ${s.domains.join(", ")}, but ${(e as Error).message}. It is kept in state; run pulumi refresh, then up`;
    throw Object.assign(new Error(message), {
      id: instanceId,
      properties: { ...toState(base, detail), __provider: checked.__provider },
      reasons: [message],
    });
  }
  const toPublish = publishListOfState(outs);
  c.log(
    `instance ${instanceId}${p.instanceId ? "" : " (from the TEST pool)"} applied for ${s.domains.join(", ")}: ${outs.status}${toPublish ? `; publish ${toPublish}` : ""}`,
  );
  return { id: instanceId, outs };
}

/**
 * The refusal of a named instance whose application carries this resource's URN mark from another
 * create: the resource this one replaces (the engine creates a replacement first, and replaces
 * without asking the provider for `--replace`, so a create cannot tell), or a create of this
 * resource that stopped before its state was written. Nothing is taken: each has its fix.
 */
function earlierHeld(id: string, held: string, d: InstanceDetail): string {
  return `instanceId ${id}: the instance carries another claim of this resource's URN (${CLAIM_TAG}=${held}${d.Domain ? `, applied for ${d.Domain}` : ""}; status ${d.Status ?? "unknown"}), which is either the resource this one replaces or a create of this resource that stopped before its state was written. If the stack holds it (pulumi stack export lists an InstanceCertificate with id ${id}), this is a replacement made create-before-delete, and a named instance holds one application: give the resource the deleteBeforeReplace option. If the stack does not hold it, bring it under management with pulumi import alicloudcas:index:InstanceCertificate <name> ${id} once its certificate is issued, or cancel its application in the CAS console (if under review) and set the tag ${CLAIM_TAG} on the instance to an empty value`;
}
