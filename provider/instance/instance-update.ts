import { CasError } from "../cas/errors";
import { currentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { registrableDomain, relativeTo } from "../order/record-name";
import { CLAIM_TAG, claimOf } from "./claim";
import type { InstanceInputs, InstanceState } from "./inputs";
import { checkInstanceAccount, instanceAccountUnproven, isInstanceNotFound } from "./instance-account";
import { applicationParams, contactIdsFor } from "./instance-application";
import { settingsOf, withAccount, type ApplicationSettings } from "./instance-status";

/**
 * InstanceCertificate's in-place update: what CAS holds on the instance (contacts, tags,
 * autoReissue) is sent again with UpdateInstance, only while the instance carries this resource's
 * claim and no application is under review; `dnsZone` and `onDelete` live in state only.
 */
export async function updateInstance(c: ProviderContext, stored: InstanceState, p: InstanceInputs) {
  let olds = stored;
  const now = await currentAccount(c.client());
  checkInstanceAccount(olds.instanceId, olds.accountId, now, "updated");
  const s = await settingsOf(p);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  // What CAS holds on the instance: sent again with UpdateInstance (the whole application, so
  // nothing changes by omission). dnsZone and onDelete live in state only.
  const sent = (["autoReissue", "tags", "username", "phone", "email"] as const).filter(
    (k) => !same(s[k], olds[k]),
  );
  if (p.contactIds && !same(p.contactIds, olds.contactIds)) sent.push("contactIds" as never);
  let contactIds = olds.contactIds;
  if (sent.length) {
    const api = c.client();
    const d = await api.call("GetInstanceDetail", { InstanceId: olds.instanceId }).catch((e: unknown) => {
      if (!isInstanceNotFound(e)) throw e;
      throw new CasError(
        "InstanceGone",
        instanceAccountUnproven(olds.instanceId, olds.accountId, now) ??
          `instance ${olds.instanceId}: CAS answers ${e.code} to account ${now.accountId}, the account it was applied in (it was removed outside this stack); run \`pulumi refresh\` to drop it from the stack`,
      );
    });
    olds = withAccount(c.log, olds, now);
    if (claimOf(d) !== olds.claim)
      throw new CasError(
        "InstanceNotHeld",
        `${sent.join(", ")}: instance ${olds.instanceId} now carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}), so its application is not this resource's and was left alone; replace this resource to apply again`,
      );
    if (d.Status === "pending")
      throw new CasError(
        "InstanceUnderReview",
        `${sent.join(", ")}: instance ${olds.instanceId} has an application under review, which CAS does not let change (InvalidStatus.UpdateProtection); run pulumi up again once it is issued`,
      );
    if (sent.some((k) => k !== "autoReissue" && k !== "tags"))
      contactIds = await contactIdsFor(api, c.log, p);
    await api.call(
      "UpdateInstance",
      applicationParams(
        olds.instanceId,
        {
          ...s,
          domains: olds.domains,
          csr: olds.csr,
          keyAlgorithm: olds.keyAlgorithm as ApplicationSettings["keyAlgorithm"],
          validationMethod: olds.validationMethod,
          companyId: olds.companyId,
        },
        olds.claim,
        contactIds,
      ),
    );
  }
  const outs: InstanceState = { ...olds, ...s, contactIds };
  if (s.dnsZone !== olds.dnsZone)
    for (const r of Object.values(outs.validationRecords)) {
      r.zone = s.dnsZone ?? registrableDomain(r.domain);
      r.rr = relativeTo(r.fqdn, r.zone);
    }
  return { outs };
}
