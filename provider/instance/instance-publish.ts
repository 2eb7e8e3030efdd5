// What a certificate instance waits for, said as the order flow says it (order/publish.ts): each DNS
// record (type, full name, value) or validation file (URL, content) still to publish, for the create
// line, the waiter's lines and the timeout error. A TEST certificate's first user has nothing else to
// go on when the program publishes no record itself.
import type { InstanceDetail } from "../cas/instance-schemas";
import { publishList } from "../order/publish";
import { readValidationKey, uniqueRecords } from "../order/record-name";
import type { InstanceState } from "./inputs";

/** The records or files an InstanceCertificate's outputs name, while its application awaits validation. */
export function publishListOfState(
  s: Pick<InstanceState, "status" | "validationRecords" | "files">,
): string | null {
  if (s.status !== "pending_validation") return null;
  if (s.files.length) return publishList({ method: "FILE", files: s.files });
  const records = Object.values(s.validationRecords);
  return publishList({ method: "DNS", records: uniqueRecords(records) });
}

/**
 * The same list from one `GetInstanceDetail` answer (the validation resource waits by instance id and
 * holds no InstanceCertificate outputs): `null` unless the application is pending and CAS lists its
 * records. Names are read as the InstanceCertificate reads them (`readValidationKey`).
 */
export function publishListOfDetail(d: InstanceDetail): string | null {
  if (d.Status !== "pending") return null;
  const { files, records } = domainValidations(d);
  if (files.length) return publishList({ method: "FILE", files });
  return publishList({ method: "DNS", records: uniqueRecords(records) });
}

/**
 * What CAS asks to publish, read from one `GetInstanceDetail` answer's `DomainValidationList`: each
 * HTTP validation's file (its URL: CAS gives a path or a full URL) and each DNS record (its full name
 * read from `ValidationKey` against `RootDomain`, see `readValidationKey`). Entries without a domain
 * or key are skipped.
 */
export function domainValidations(d: InstanceDetail) {
  const files: Array<{ domain: string; url: string; content: string }> = [];
  const records: Array<{
    domain: string;
    type: string;
    fqdn: string;
    base: string;
    value: string;
    recordDomain: string;
  }> = [];
  for (const v of d.DomainValidationList ?? []) {
    const domain = (v.Domain ?? "").toLowerCase();
    if (!domain || !v.ValidationKey) continue;
    if (v.ValidationType === "HTTP") {
      const url = /^https?:\/\//.test(v.ValidationKey)
        ? v.ValidationKey
        : `http://${domain}${v.ValidationKey}`;
      files.push({ domain, url, content: v.ValidationValue ?? "" });
      continue;
    }
    const read = readValidationKey(v.RootDomain ?? domain, v.ValidationKey);
    records.push({
      domain,
      type: v.ValidationType ?? "TXT",
      fqdn: read.fqdn,
      base: read.base,
      value: v.ValidationValue ?? "",
      recordDomain: v.ValidationKey,
    });
  }
  return { files, records };
}
