import type { ResponseOf } from "../cas/actions";
import type { DnsValidationRecord, FileValidation } from "./outputs";
import { endsInPublicSuffix } from "./record-name";

/** What {@link publishList} reads of a validation: an order's `validation` output, or an instance's records or files. */
export type PublishableValidation =
  | { method: "DNS"; records: ReadonlyArray<Pick<DnsValidationRecord, "type" | "fqdn" | "value">> }
  | { method: "FILE"; files: ReadonlyArray<Pick<FileValidation, "url" | "content">> }
  | null;

/**
 * What a user must publish for an order (or a certificate instance) to be validated, said the same
 * way in every place it matters (the create line, the waiter's lines, the timeout error): `TXT
 * _dnsauth.www.example.com = "…"` per DNS record, or the URL and content of the validation file. A
 * first order without DNS automation has nothing else to go on.
 */
export function publishList(validation: PublishableValidation): string | null {
  if (validation?.method === "DNS" && validation.records.length)
    return validation.records.map((r) => `${r.type} ${r.fqdn} = ${JSON.stringify(r.value)}`).join("; ");
  if (validation?.method === "FILE" && validation.files.length)
    return validation.files
      .map((f) => `a file at ${f.url} with content ${JSON.stringify(f.content)}`)
      .join("; ");
  return null;
}

/**
 * The same list from one `DescribeCertificateState` answer, for the waiter, which knows the order's
 * id but not its names. `recordNames` are the record names the program gave (`validationRecordFqdns`);
 * without them the record is named as CAS spells `RecordDomain` (a full name, by the console FAQ),
 * with a pointer to the order's `validation` output when CAS gave a name without dots.
 */
export function publishListFromState(
  state: ResponseOf<"DescribeCertificateState">,
  recordNames?: readonly string[] | null,
): string | null {
  if (state.ValidateType === "FILE") {
    if (!state.Uri) return null;
    const host = state.Domain ?? "<the ordered name>";
    return `a file at http://${host}${state.Uri} with content ${JSON.stringify(state.Content ?? "")}`;
  }
  if (!state.RecordDomain) return null;
  const type = state.RecordType ?? "TXT";
  const value = JSON.stringify(state.RecordValue ?? "");
  if (recordNames?.length)
    return recordNames.map((n) => `${type} ${n.replace(/\.$/, "")} = ${value}`).join("; ");
  // A name that does not end in a public suffix (`_dnsauth`, `_dnsauth.www`) is relative: to the zone
  // or the ordered name, which the order resource knows (record-name.ts), not this one.
  const relative = endsInPublicSuffix(state.RecordDomain)
    ? ""
    : " (CAS gave a relative name; the order's validation output has the full name)";
  return `${type} ${state.RecordDomain} = ${value}${relative}`;
}
