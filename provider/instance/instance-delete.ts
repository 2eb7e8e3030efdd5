import { CasError } from "../cas/errors";
import type { InstanceDetail } from "../cas/instance-schemas";
import { currentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { CLAIM_TAG, claimOf } from "./claim";
import type { InstanceState } from "./inputs";
import { checkInstanceAccount, instanceAccountUnproven, isInstanceNotFound } from "./instance-account";
import { cancelPending, releaseClaim } from "./instance-application";

/**
 * InstanceCertificate's destroy, only while the instance carries this resource's claim: a pending
 * application is cancelled (waiting for the instance to leave `pending`); an issued certificate is
 * kept unless `onDelete: "revoke"`; then the claim is released. An instance is never refunded or
 * deleted (money).
 */
export async function deleteInstance(c: ProviderContext, olds: InstanceState): Promise<void> {
  const api = c.client();
  const now = await currentAccount(api);
  checkInstanceAccount(
    olds.instanceId,
    olds.accountId,
    now,
    "cancelled, revoked, released or removed from the stack",
  );
  let d: InstanceDetail;
  try {
    d = await api.call("GetInstanceDetail", { InstanceId: olds.instanceId });
  } catch (e) {
    if (isInstanceNotFound(e)) {
      const unproven = instanceAccountUnproven(olds.instanceId, olds.accountId, now);
      if (unproven) throw new CasError("InstanceElsewhere", unproven);
      c.log(`instance ${olds.instanceId} was already gone from CAS (account ${now.accountId})`);
      return;
    }
    throw e;
  }
  // Only this resource's application is cancelled or revoked, named or from the pool alike.
  if (claimOf(d) !== olds.claim) {
    c.log(
      `instance ${olds.instanceId} carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}): its application is not this resource's and was left alone`,
    );
    return;
  }
  if (d.Status === "pending") {
    d = await cancelPending({ api, clock: c.clock }, olds.instanceId);
    // Released: the pool (or another resource naming the instance) may take it.
    await releaseClaim(api, olds.instanceId);
    if (d.Status === "inactive")
      c.log(`instance ${olds.instanceId}: pending application cancelled; the instance is inactive again`);
    else c.log(`instance ${olds.instanceId}: pending application cancelled; the instance is ${d.Status}`);
    return;
  }
  const issued = d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire";
  if (issued && olds.onDelete === "revoke") {
    await api.call("RevokeCertificate", {
      InstanceId: olds.instanceId,
      ...(d.CertificateId ? { CertificateId: d.CertificateId } : {}),
    });
    c.log(`instance ${olds.instanceId}: certificate ${d.CertificateId} revoked (onDelete: revoke)`);
  } else if (issued)
    c.log(
      `instance ${olds.instanceId}: certificate ${d.CertificateId} kept in CAS (onDelete: keep); the instance is never refunded or deleted by this resource`,
    );
  try {
    await releaseClaim(api, olds.instanceId);
  } catch (e) {
    c.log(
      `instance ${olds.instanceId}: its claim (${CLAIM_TAG}=${olds.claim}) could not be released (${(e as Error).message}); another resource naming the instance is refused until that tag is set to an empty value in the CAS console`,
    );
  }
}
