import { createHash } from "node:crypto";
import { CasError } from "../cas/errors";
import { INSTANCE_KEY_ALGORITHMS, type InstanceDetail } from "../cas/instance-schemas";
import { currentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { parseProps } from "../order/parse-state";
import { CLAIM_TAG, claimOf, isEarlierClaim, isTakenRefusal, urnMark } from "./claim";
import { instanceInputsSchema, type InstanceState } from "./inputs";
import { isInstanceNotFound } from "./instance-account";
import { applicationParams } from "./instance-application";
import { settingsOf, toState } from "./instance-status";

const INSTANCE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
const USAGE = "pulumi import alicloudcas:index:InstanceCertificate <name> <instanceId>";

/** The inputs a program declares for the application on instance `d` (what GetInstanceDetail answers). */
function inputsOfDetail(id: string, d: InstanceDetail): Record<string, unknown> {
  const names = (d.Domain ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const csr = d.GenerateCsrMethod === "upload" && d.Csr ? d.Csr : undefined;
  const key = d.KeyAlgorithm;
  if (!csr && key && !(INSTANCE_KEY_ALGORITHMS as readonly string[]).includes(key))
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: its key algorithm ${key} is none this provider applies with (${INSTANCE_KEY_ALGORITHMS.join(", ")}), so it cannot be managed; declare a new InstanceCertificate on another instance instead`,
    );
  const contactIds = (d.ContactIdList ?? []).map(String);
  if (contactIds.length === 0)
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: CAS answers no contact for its application (GetInstanceDetail ContactIdList is empty), so contactIds cannot be filled; set a contact on the instance in the CAS console, then import it again`,
    );
  const tags = Object.fromEntries(
    (d.Tags ?? [])
      .filter((t) => t.TagKey && t.TagKey !== CLAIM_TAG)
      .map((t) => [t.TagKey!, t.TagValue ?? ""]),
  );
  return {
    instanceId: id,
    ...(csr ? { csr } : names.length === 1 ? { domain: names[0] } : { domains: names }),
    ...(!csr && key && key !== "RSA_2048" ? { keyAlgorithm: key } : {}),
    ...(d.ValidationMethod === "HTTP" ? { validationMethod: "HTTP" } : {}),
    contactIds,
    ...(d.CompanyId ? { companyId: String(d.CompanyId) } : {}),
    ...(d.AutoReissue === "enable" ? { autoReissue: true } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };
}

/** The claim an import of instance `id` into resource `urn` marks it with (the same for its preview). */
function importClaim(urn: string, id: string, d: InstanceDetail): string {
  const h = createHash("sha256")
    .update(`${urn}\n${id}\n${d.CertificateId ?? ""}`)
    .digest("hex");
  // With the URN's mark: an import whose preview marked the instance and was then abandoned is
  // recognised by a later import into the resource (and named as this resource's by a create).
  return `${urnMark(urn)}import-${h.slice(0, 24)}`;
}

/**
 * `pulumi import` of an InstanceCertificate by its instance id: the application CAS holds on the
 * instance (GetInstanceDetail) becomes the resource's inputs and state. The instance is marked with
 * the resource's claim by sending its own application back with UpdateInstance (the claim tag
 * added); nothing is applied. The engine reads an imported resource in the import's preview too, and
 * a read is not told which it is: the claim is made of the resource's URN, the instance and its
 * certificate, so the import finds its preview's mark as its own, while another stack's resource
 * (another URN) finds the instance held. Refused, naming the id and the fix, for an instance CAS does not know, one with no
 * issued certificate (nothing applied, under review, closed or expired), or one another resource holds.
 */
export async function importInstance(
  c: ProviderContext,
  id: string,
  urn: string,
): Promise<{ inputs: Record<string, unknown>; state: InstanceState }> {
  if (!INSTANCE_ID_RE.test(id))
    throw new CasError(
      "ImportBadId",
      `${JSON.stringify(id.slice(0, 70))} is no CAS instance id (cas-cn-…): ${USAGE}`,
    );
  const api = c.client();
  const { accountId } = await currentAccount(api);
  const d = await api.call("GetInstanceDetail", { InstanceId: id }).catch((e: unknown) => {
    if (!isInstanceNotFound(e)) throw e;
    throw new CasError(
      "ImportNotFound",
      `instance ${id}: CAS answers ${e.code} to account ${accountId}; check the id (${USAGE}), and that the provider's credentials are the instance's account`,
    );
  });
  const claim = importClaim(urn, id, d);
  const held = claimOf(d);
  // A claim with this resource's URN mark is a create's of this resource that stopped before its
  // state was written: the engine imports only into a URN the stack does not hold with this id.
  if (held && held !== claim && !isEarlierClaim(held, claim, urn))
    throw new CasError(
      "InstanceHeld",
      `instance ${id}: it is held by another InstanceCertificate (${CLAIM_TAG}=${held}); import it once that resource is destroyed or removed from its stack, or, if no stack holds it any more, set the tag ${CLAIM_TAG} on the instance to an empty value in the CAS console`,
    );
  const issued = d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire";
  if (d.Status === "inactive" || !d.Domain)
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: nothing is applied on it (status ${d.Status ?? "unknown"}), so there is nothing to import; declare an InstanceCertificate with instanceId: "${id}" to apply on it`,
    );
  if (d.Status !== "normal" && d.Status !== "willExpire")
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: its status is ${d.Status ?? "unknown"}${d.Status === "pending" ? " (an application under review, which CAS does not let change)" : ""}, and only an instance holding an issued certificate can be imported; ${d.Status === "pending" ? "import it once the certificate is issued" : "declare a new InstanceCertificate on another instance instead"}`,
    );
  if (!issued)
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: its certificate is ${d.CertificateStatus ?? "absent"}, and only an instance holding an issued certificate can be imported; declare a new InstanceCertificate on another instance instead`,
    );
  const inputs = inputsOfDetail(id, d);
  const p = parseProps(instanceInputsSchema, inputs, `InstanceCertificate ${id} as CAS answers it`);
  const s = await settingsOf(p);
  const contactIds = (d.ContactIdList ?? []).map(String);
  try {
    await api.call("UpdateInstance", applicationParams(id, s, claim, contactIds));
  } catch (e) {
    if (!isTakenRefusal(e)) throw e;
    throw new CasError(
      "ImportUnmanageable",
      `instance ${id}: an application went under review on it while it was imported, and it was left alone; import it once the certificate is issued`,
    );
  }
  const after = await api.call("GetInstanceDetail", { InstanceId: id });
  if (claimOf(after) !== claim)
    throw new CasError(
      "InstanceTaken",
      `instance ${id}: another resource marked it while it was imported (${CLAIM_TAG}=${claimOf(after) ?? "none"}); it was left alone`,
    );
  c.log(`instance ${id}: imported (${s.domains.join(", ")}), marked ${CLAIM_TAG}=${claim}; nothing applied`);
  const base = {
    schemaVersion: 2 as const,
    instanceId: id,
    accountId,
    pinned: true,
    claim,
    contactIds,
    ...s,
  };
  return { inputs, state: toState(base, after) };
}
