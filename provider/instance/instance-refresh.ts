import type { InstanceDetail } from "../cas/instance-schemas";
import type { CurrentAccount } from "../order/account";
import type { ProviderContext } from "../order/context";
import { CLAIM_TAG, claimOf } from "./claim";
import type { InstanceState } from "./inputs";
import { certificateIsApplications } from "./instance-application";
import { toState, withAccount } from "./instance-status";

/**
 * InstanceCertificate's refresh after the instance answered `d` to the account recorded: the
 * application's state while the instance carries this resource's claim; the last outputs, said why,
 * once another claim is on it; `cancelled` when the instance's current certificate is not for the
 * application's names (an application cancelled on an instance that held an earlier certificate).
 */
export async function refreshed(
  c: ProviderContext,
  read: InstanceState,
  now: CurrentAccount,
  d: InstanceDetail,
): Promise<InstanceState> {
  // A successful read proves the instance is in this account.
  const olds = withAccount(c.log, read, now);
  if (claimOf(d) !== olds.claim) {
    // Another resource's application (or none): its records and certificate are not this one's.
    const reason = `instance ${olds.instanceId} now carries another claim (${CLAIM_TAG}=${claimOf(d) ?? "none"}): its application is no longer this resource's; the outputs are the last ones read while it was. Replace this resource (or remove it from state) to apply again`;
    c.log(reason);
    return { ...olds, statusReason: reason };
  }
  const {
    status: _s,
    statusReason: _r,
    validationRecords: _v,
    files: _f,
    certificateId: _c,
    certIdentifier: _i,
    notAfter: _n,
    ...base
  } = olds;
  const next = toState(base, d, olds);
  if (next.status === "issued" && next.certificateId !== olds.certificateId && d.CertificateId) {
    if (!(await certificateIsApplications(c.client(), d))) {
      const reason = `the instance's current certificate (${d.CertificateId}) is not for ${olds.domains.join(", ")}: this application was cancelled; replace the resource to apply again`;
      c.log(`instance ${olds.instanceId}: ${reason}`);
      return {
        ...next,
        status: "cancelled",
        statusReason: reason,
        certificateId: null,
        certIdentifier: null,
        notAfter: null,
      };
    }
  }
  return next;
}
