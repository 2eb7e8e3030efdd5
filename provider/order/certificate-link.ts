import type { ResponseOf } from "../cas/actions";
import { CasApiError } from "../cas/errors";
import { listPages } from "./list-paging";

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

export const NO_LINK: CertificateLink = { certificateId: null, certIdentifier: null };

/** A serial number as hex without case, separators or leading zeros (CAS and X.509 tools differ on all three). */
export function normalizeSerial(serial: string): string {
  const hex = serial.toLowerCase().replace(/[^0-9a-f]/g, "");
  return hex.replace(/^0+(?=.)/, "");
}

/** The name CAS binds the certificate to, as the CERT list's `Keyword` (wildcard label removed). */
export function keywordFor(names: readonly string[]): string {
  return (names[0] ?? "").replace(/^\*\./, "");
}

/**
 * Finds the CAS certificate an order issued. `DescribeCertificateState` carries no certificate id
 * and CERT list items carry no `OrderId`, so: list the certificates bound to the name
 * (`OrderType=CERT`), keep those whose serial number matches the issued leaf, and confirm each by
 * `GetUserCertificateDetail(...).OrderId`. A name alone never decides: it usually has several
 * certificates (renewals, other stacks). Returns {@link NO_LINK} when nothing is confirmed.
 *
 * `ListUserCertificateOrder` is limited to 10 calls/s per account, so callers keep the answer in
 * state and look again only when the serial changes.
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
 * issued order then costs one `DescribeCertificateState` call), a fresh look-up otherwise.
 */
export async function certificateLink(
  api: () => LinkApi,
  orderId: string,
  names: readonly string[],
  serialNumber: string | null,
  previous: { serialNumber?: unknown; certificateId?: unknown; certIdentifier?: unknown } | undefined,
  log: (line: string) => void,
): Promise<CertificateLink> {
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
  const link = await findCertificate(api(), orderId, keywordFor(names), serialNumber);
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
