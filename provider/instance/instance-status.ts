import type { InstanceDetail } from "../cas/instance-schemas";
import type { CurrentAccount } from "../order/account";
import type { Log } from "../order/log";
import { relativeTo } from "../order/record-name";
import { domainValidations } from "./instance-publish";
import { canonicalCsrPem } from "../pki/csr";
import { appliedNames, type InstanceCertStatus, type InstanceInputs, type InstanceState } from "./inputs";

// An InstanceCertificate's state from CAS's instance answers (status, records, certificate), and
// the normalized settings an application is made of.

/** The status of this resource's application, from the instance's answer. */
export function statusOf(d: InstanceDetail): InstanceCertStatus {
  if (d.Status === "pending") return "pending_validation";
  if (d.Status === "closed") return "failed";
  if (d.Status === "inactive") return "cancelled";
  if (d.CertificateStatus === "revoked") return "revoked";
  if (d.CertificateStatus === "expired" || d.Status === "expired") return "expired";
  if (d.CertificateStatus === "issued" || d.CertificateStatus === "willExpire") return "issued";
  return "unknown";
}

const REASONS: Partial<Record<InstanceCertStatus, string>> = {
  pending_validation: "publish validationRecords (or files); CAS validates and issues on a later read",
  failed: "the CA's review failed (instance closed); replace the resource to apply on another instance",
  cancelled: "the application was cancelled; the instance is inactive again",
  revoked: "the certificate was revoked; replace the resource for a new one",
  expired: "the certificate expired; replace the resource for a new one",
};

/** The normalized settings an application is made of (what the state stores beside CAS's answers). */
export async function settingsOf(p: InstanceInputs) {
  return {
    instanceType: p.instanceType ?? null,
    domains: await appliedNames(p),
    csr: p.csr ? canonicalCsrPem(p.csr) : null,
    keyAlgorithm: p.csr ? null : (p.keyAlgorithm ?? "RSA_2048"),
    validationMethod: p.validationMethod ?? "DNS",
    username: p.username ?? null,
    phone: p.phone ?? null,
    email: p.email ?? null,
    companyId: p.companyId ?? null,
    autoReissue: p.autoReissue ?? false,
    tags: p.tags ?? {},
    onDelete: p.onDelete ?? "keep",
    dnsZone: p.dnsZone ?? null,
  };
}
export type ApplicationSettings = Awaited<ReturnType<typeof settingsOf>>;

/** The outputs of an application, from one instance answer (records kept from `previous` once gone). */
export function toState(
  base: Omit<
    InstanceState,
    | "status"
    | "statusReason"
    | "validationRecords"
    | "files"
    | "certificateId"
    | "certIdentifier"
    | "notAfter"
  >,
  d: InstanceDetail,
  previous?: InstanceState,
): InstanceState {
  const status = statusOf(d);
  const found = domainValidations(d);
  const files: InstanceState["files"] = found.files.map((f) => ({
    domain: f.domain,
    path: new URL(f.url).pathname,
    content: f.content,
    url: f.url,
  }));
  const records: InstanceState["validationRecords"] = {};
  for (const r of found.records) {
    const zone = base.dnsZone ?? r.base;
    records[r.domain] = {
      domain: r.domain,
      names: [r.domain],
      fqdn: r.fqdn,
      rr: relativeTo(r.fqdn, zone),
      zone,
      type: r.type,
      value: r.value,
      recordDomain: r.recordDomain,
    };
  }
  const keep = Object.keys(records).length === 0 && files.length === 0 && previous;
  return {
    ...base,
    status,
    statusReason: REASONS[status] ?? null,
    validationRecords: keep ? previous.validationRecords : records,
    files: keep ? previous.files : files,
    // Under review (or cancelled), an instance still names the certificate of an earlier application.
    ...(status === "issued" || status === "revoked" || status === "expired"
      ? {
          certificateId: d.CertificateId ?? null,
          certIdentifier: d.CertIdentifier ?? null,
          notAfter: d.CertificateNotAfter ? new Date(d.CertificateNotAfter).toISOString() : null,
        }
      : { certificateId: null, certIdentifier: null, notAfter: null }),
  };
}

/** The state with the account id filled (state of version 1) after a read that proves the account. */
export function withAccount(log: Log, olds: InstanceState, now: CurrentAccount): InstanceState {
  if (olds.accountId !== null) return olds;
  log(
    `instance ${olds.instanceId}: in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
  );
  return { ...olds, accountId: now.accountId };
}
