import type { ResponseOf } from "../cas/actions";
import { CasApiError } from "../cas/errors";
import { listPages } from "./list-paging";
import { withoutWildcard } from "./record-name";

/**
 * What consumers take: ALB/NLB/WAF/GA/OSS `CertIdentifier`, CDN/DCDN/SLB the bare id. Plain JSON,
 * `null` until the certificate is found.
 */
export interface CertificateLink {
  /** The CAS certificate id (decimal string: a long in the API). */
  certificateId: string | null;
  /** `GetUserCertificateDetail.CertIdentifier` exactly as CAS returned it (e.g. `10741304-cn-hangzhou`). */
  certIdentifier: string | null;
}

/** The calls the look-up needs (a `CasClient`, or anything that answers the same way). */
export interface LinkApi {
  call(
    action: "ListUserCertificateOrder",
    params: { OrderType: "CERT"; Keyword: string; CurrentPage: number; ShowSize: number },
  ): Promise<ResponseOf<"ListUserCertificateOrder">>;
  call(
    action: "GetUserCertificateDetail",
    params: { CertId: string; CertFilter: boolean },
  ): Promise<ResponseOf<"GetUserCertificateDetail">>;
}

const NO_LINK: CertificateLink = { certificateId: null, certIdentifier: null };

/**
 * `DescribeCertificateState.CertId` values seen with a certificate, by its normalized serial, for
 * the link look-up that follows in the same operation. `certificateFields` notes the `CertId` of the
 * answer it reads the certificate from, so a caller that passes {@link certificateLink} only the
 * serial (the validation provider) still links by id. A hint only: it is confirmed by
 * `GetUserCertificateDetail` before it is used, taken once, and the oldest are dropped past
 * {@link MAX_CERT_ID_HINTS}.
 */
export class CertIdHints {
  private readonly hints = new Map<string, string>();

  /** Notes the `CertId` that a `DescribeCertificateState` answer gave with the certificate of `serialNumber`. */
  note(serialNumber: string, certId: string): void {
    const key = normalizeSerial(serialNumber);
    this.hints.delete(key);
    this.hints.set(key, certId);
    for (const oldest of this.hints.keys()) {
      if (this.hints.size <= MAX_CERT_ID_HINTS) break;
      this.hints.delete(oldest);
    }
  }

  /** The noted `CertId` of the certificate of `serialNumber`, if any; taken (forgotten) once read. */
  take(serialNumber: string | null): string | undefined {
    if (!serialNumber) return undefined;
    const key = normalizeSerial(serialNumber);
    const certId = this.hints.get(key);
    this.hints.delete(key);
    return certId;
  }
}
const MAX_CERT_ID_HINTS = 1000;

/** A serial number as hex without case, separators or leading zeros (CAS and X.509 tools differ on all three). */
export function normalizeSerial(serial: string): string {
  const hex = serial.toLowerCase().replace(/[^0-9a-f]/g, "");
  return hex.replace(/^0+(?=.)/, "");
}

/** The name CAS binds the certificate to, as the CERT list's `Keyword` (wildcard label removed). */
export function keywordFor(names: readonly string[]): string {
  return withoutWildcard(names[0] ?? "");
}

/**
 * The certificate `DescribeCertificateState` named by `CertId` (answers since 2025-07), confirmed by
 * one `GetUserCertificateDetail`: it must belong to `orderId` and carry the issued leaf's serial.
 * `undefined` when it does not (or is gone), for the caller to fall back to {@link findCertificate}.
 */
async function certificateById(
  api: LinkApi,
  orderId: string,
  certId: string,
  serialNumber: string,
): Promise<CertificateLink | undefined> {
  const detail = await certificateDetail(api, certId);
  if (!detail || detail.OrderId !== orderId) return undefined;
  if (detail.SerialNo !== undefined && normalizeSerial(detail.SerialNo) !== normalizeSerial(serialNumber))
    return undefined;
  return { certificateId: detail.Id, certIdentifier: detail.CertIdentifier ?? null };
}

/**
 * Finds the CAS certificate an order issued when `DescribeCertificateState` answers no `CertId`
 * (answers before 2025-07). CERT list items carry no `OrderId`, so: list the certificates bound to the name
 * (`OrderType=CERT`), keep those whose serial number matches the issued leaf, and confirm each by
 * `GetUserCertificateDetail(...).OrderId`. A name alone never decides: it usually has several
 * certificates (renewals, other stacks). Returns {@link NO_LINK} when nothing is confirmed.
 *
 * `ListUserCertificateOrder` is limited to 10 calls/s per account (the scarcest budget), so this
 * runs only without a usable `CertId`, and callers keep the answer in state and look again only when
 * the serial changes.
 */
export async function findCertificate(
  api: LinkApi,
  orderId: string,
  keyword: string,
  serialNumber: string,
): Promise<CertificateLink> {
  const want = normalizeSerial(serialNumber);
  for await (const items of listPages(api, { OrderType: "CERT", Keyword: keyword })) {
    for (const item of items) {
      const listedSerial = item.SerialNo;
      if (!item.CertificateId) continue;
      // Items without a serial are checked through their detail (which always has one).
      if (listedSerial !== undefined && normalizeSerial(listedSerial) !== want) continue;
      const detail = await certificateDetail(api, item.CertificateId);
      if (!detail || detail.OrderId !== orderId) continue;
      if (detail.SerialNo !== undefined && normalizeSerial(detail.SerialNo) !== want) continue;
      return { certificateId: detail.Id, certIdentifier: detail.CertIdentifier ?? null };
    }
  }
  return NO_LINK;
}

async function certificateDetail(
  api: LinkApi,
  certId: string,
): Promise<ResponseOf<"GetUserCertificateDetail"> | undefined> {
  try {
    // CertFilter=true: no PEM or key in the answer; the order's state already carries them.
    return await api.call("GetUserCertificateDetail", { CertId: certId, CertFilter: true });
  } catch (e) {
    // Deleted between the list and the detail call: not this order's certificate any more.
    if (e instanceof CasApiError && /NotFound/i.test(e.code)) return undefined;
    throw e;
  }
}

/**
 * The link to keep in state: the previous one while the serial number is the same (refreshing an
 * issued order then costs one `DescribeCertificateState` call), a fresh look-up otherwise: by the
 * `CertId` the order's `DescribeCertificateState` answered (`answeredCertId`, else the one
 * {@link CertIdHints.note} recorded for this serial) with one `GetUserCertificateDetail`, and only
 * without one, or when the detail does not confirm it, by listing and matching serials.
 */
export async function certificateLink(
  api: () => LinkApi,
  orderId: string,
  names: readonly string[],
  serialNumber: string | null,
  previous: { serialNumber?: unknown; certificateId?: unknown; certIdentifier?: unknown } | undefined,
  log: (line: string) => void,
  hints: CertIdHints,
  answeredCertId?: string,
): Promise<CertificateLink> {
  // The hint is taken whatever happens next, so none outlives the answer it came with.
  const hinted = hints.take(serialNumber);
  const certId = answeredCertId ?? hinted;
  if (!serialNumber) return NO_LINK;
  if (
    previous &&
    typeof previous.certificateId === "string" &&
    typeof previous.serialNumber === "string" &&
    normalizeSerial(previous.serialNumber) === normalizeSerial(serialNumber)
  )
    return {
      certificateId: previous.certificateId,
      certIdentifier: typeof previous.certIdentifier === "string" ? previous.certIdentifier : null,
    };
  let link: CertificateLink | undefined;
  if (certId) {
    link = await certificateById(api(), orderId, certId, serialNumber);
    if (!link)
      log(
        `order ${orderId}: GetUserCertificateDetail does not confirm certificate ${certId} (the CertId DescribeCertificateState answered) as this order's with serial ${serialNumber}; looking it up by serial instead`,
      );
  }
  link ??= await findCertificate(api(), orderId, keywordFor(names), serialNumber);
  if (!link.certificateId)
    log(
      `order ${orderId}: no CAS certificate with serial ${serialNumber} confirmed for this order yet; certificateId stays null and is looked up again on the next refresh or up`,
    );
  else if (!link.certIdentifier)
    log(
      `order ${orderId}: certificate ${link.certificateId} has no CertIdentifier in GetUserCertificateDetail; certIdentifier stays null (it is never built from a region)`,
    );
  return link;
}
