import { CasError } from "../cas/errors";
import type { InstanceDetail } from "../cas/instance-schemas";
import { currentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { parseProps } from "../order/parse-state";
import { canonicalCsrPem } from "../pki/csr";
import { CLAIM_TAG, claimFromPool, claimOf, holdsApplication, isEarlierClaim, newClaim } from "./claim";
import { inputsOnly, instanceInputsSchema, type InstanceState } from "./inputs";
import { applyOn, contactIdsFor, releaseAfterFailure, waitForRecords } from "./instance-application";
import { publishListOfState } from "./instance-publish";
import { settingsOf, toState, type ApplicationSettings } from "./instance-status";

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
  let claim = newClaim(owner);
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
        const earlier = isEarlierClaim(held, claim, owner);
        if (earlier && d.Status !== "inactive") {
          // A named instance is replaced delete-before-create (its old resource releases the claim
          // first), so an application under this resource's URN mark is an earlier create's of this
          // resource, whose process stopped before the state was written: it is this one's.
          detail = earlierApplication(instanceId, d, s);
          claim = held!;
          c.log(
            `instance ${instanceId}: applied by an earlier create of this resource (${d.Status}); taking it as this one's`,
          );
          break;
        }
        if (held && held !== claim && !earlier)
          throw new CasError(
            "InstanceHeld",
            `instanceId ${instanceId}: the instance is held by another InstanceCertificate (${CLAIM_TAG}=${held}${d.Domain ? `, applied for ${d.Domain}` : ""}; status ${d.Status ?? "unknown"}); an instance holds one resource's application. Name another instance; to rename the resource, give it the aliases option (a new name creates the new resource before the old one is deleted); to move the instance here, destroy the resource holding it first (its destroy releases the claim), or, if no stack holds it any more, set the tag ${CLAIM_TAG} on the instance to an empty value in the CAS console`,
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
 * The application an earlier create of this resource left on a named instance, when it is the one
 * the program asks for (names, validation method, key or CSR); else an error naming both and the fix.
 */
function earlierApplication(id: string, d: InstanceDetail, s: ApplicationSettings): InstanceDetail {
  const upload = d.GenerateCsrMethod === "upload";
  const same =
    holdsApplication(d, claimOf(d)!, s.domains) &&
    (d.ValidationMethod ?? "DNS") === s.validationMethod &&
    (s.csr
      ? upload && !!d.Csr && canonicalCsrPem(d.Csr) === s.csr
      : !upload && (d.KeyAlgorithm ?? "RSA_2048") === s.keyAlgorithm) &&
    (d.Status === "pending" || d.Status === "normal" || d.Status === "willExpire");
  if (same) return d;
  throw new CasError(
    "InstanceHeld",
    `instanceId ${id}: an earlier create of this resource, whose process stopped before it was recorded, applied on the instance (${CLAIM_TAG}=${claimOf(d)!}; ${d.Domain ? `for ${d.Domain}, ` : ""}${d.ValidationMethod ?? "DNS"} validation; status ${d.Status ?? "unknown"}), and it is not the application the program now asks for (${s.domains.join(", ")}, ${s.validationMethod}, ${s.csr ? "its CSR" : s.keyAlgorithm}). Run the up with that application's settings to take it, or cancel it in the CAS console (if under review) and set the tag ${CLAIM_TAG} on the instance to an empty value`,
  );
}
