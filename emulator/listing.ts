import { invalid, missing } from "./errors";
import { ApiFault } from "./faults";
import type { LifecycleOptions } from "./timing";
import { certificateFacts, csrAlgorithm, splitPem } from "./pki";
import { brandOf, PRODUCTS } from "./products";
import type { Order } from "./state";
import { pageOf, readPage } from "./paging";

type Answer = Record<string, unknown>;
const DAY = 86400_000;

/** UNCONFIRMED: the account's default resource group id (no behaviour depends on its value). */
export const RESOURCE_GROUP_ID = "rg-emulator-default";

/** What the list and detail answers need from the model. */
export interface ListingContext {
  orders: Order[];
  now: number;
  lifecycle: LifecycleOptions;
}

/** `Status` of a CPACK item, per the SDK's list (PAYED, CHECKING, CHECKED_FAIL, ISSUED, WILLEXPIRED, EXPIRED, REVOKED). */
function listStatus(o: Order, now: number, lc: LifecycleOptions): string {
  switch (o.state) {
    case "domain_verify":
    case "process":
      return "CHECKING";
    case "verify_fail":
      return "CHECKED_FAIL";
    case "payed":
      return "PAYED";
    case "revoked":
      return "REVOKED";
    case "certificate":
      return certificateStatus(o, now, lc);
  }
}

function certificateStatus(
  o: Order,
  now: number,
  lc: LifecycleOptions,
): "ISSUED" | "WILLEXPIRED" | "EXPIRED" {
  const left = (o.notAfter ?? 0) - now;
  return left <= 0 ? "EXPIRED" : left <= lc.expiringDays * DAY ? "WILLEXPIRED" : "ISSUED";
}

/** Statuses the `Status` remark allows "only if you set OrderType to CPACK or BUY". */
const ORDER_ONLY = new Set(["PAYED", "CHECKING", "CHECKED_FAIL", "NOTACTIVATED", "REVOKED"]);
const ALL_STATUSES = new Set([...ORDER_ONLY, "ISSUED", "WILLEXPIRED", "EXPIRED"]);

/**
 * The orders a `ListUserCertificateOrder` with these parameters can list: `Keyword` ("the domain
 * name that is bound or the ID of the resource. Fuzzy match is supported") matches a bound name or
 * `InstanceId` as a case-insensitive substring; never an OrderId. No keyword: every order.
 */
export function keywordMatch(p: Readonly<Record<string, string>>): (o: Order) => boolean {
  const keyword = (p.Keyword ?? "").toLowerCase();
  return (o) =>
    !keyword || o.domains.some((d) => d.includes(keyword)) || o.instanceId.toLowerCase().includes(keyword);
}

/**
 * `ListUserCertificateOrder`. CPACK/BUY items carry the order fields and CERT/UPLOAD items the
 * certificate fields, each only where the remarks say "returned only if OrderType is …". `Keyword`
 * ("the domain name that is bound or the ID of the resource. Fuzzy match is supported") matches a
 * bound name or `InstanceId` as a case-insensitive substring; never an OrderId.
 */
export function listOrders(p: Readonly<Record<string, string>>, ctx: ListingContext): Answer {
  const type = p.OrderType || "CPACK";
  if (!["CPACK", "BUY", "CERT", "UPLOAD"].includes(type))
    throw invalid("OrderType", "use CPACK, BUY, CERT or UPLOAD");
  const paging = readPage(p, {
    defaultSize: 50,
    check: { maxSize: 1000, page: "a positive integer", size: "an integer from 1 to 1000" },
  });
  const status = p.Status || "";
  if (status && !ALL_STATUSES.has(status)) throw invalid("Status", `unknown status ${status}`);
  const certs = type === "CERT" || type === "UPLOAD";
  if (certs && ORDER_ONLY.has(status))
    throw invalid("Status", `${status} applies to OrderType CPACK or BUY only`);
  const matches = keywordMatch(p);

  const items: Array<{ sortKey: bigint; item: Answer }> = [];
  for (const o of ctx.orders) {
    if (!matches(o)) continue;
    if (type === "CPACK") {
      const s = listStatus(o, ctx.now, ctx.lifecycle);
      if (status && status !== s) continue;
      items.push({ sortKey: BigInt(o.orderId), item: orderItem(o, s) });
    } else if (type === "CERT" && o.state === "certificate" && o.certId && o.certificatePem) {
      // "If you set OrderType to CERT … and Status is left empty, valid certificates are returned by
      // default, including issued certificates and certificates that are about to expire."
      const s = certificateStatus(o, ctx.now, ctx.lifecycle);
      if (status ? status !== s : s === "EXPIRED") continue;
      items.push({ sortKey: BigInt(o.certId), item: certificateItem(o, ctx.now) });
    }
    // BUY (purchase orders) and UPLOAD (uploaded certificates) do not exist in the emulator.
  }
  items.sort((a, b) => (b.sortKey > a.sortKey ? 1 : b.sortKey < a.sortKey ? -1 : 0));
  return {
    TotalCount: items.length,
    CurrentPage: paging.page,
    ShowSize: paging.size,
    CertificateOrderList: pageOf(items, paging).map((x) => x.item),
  };
}

function orderItem(o: Order, status: string): Answer {
  const product = PRODUCTS[o.productCode];
  const wild = o.domains.filter((d) => d.startsWith("*.")).length;
  const single = o.domains.length - wild;
  return {
    OrderId: o.orderId,
    InstanceId: o.instanceId,
    ProductCode: o.productCode,
    ProductName: o.productCode,
    RootBrand: brandOf(o.productCode),
    CertType: product?.level ?? "DV",
    Algorithm: o.certificatePem
      ? certificateFacts(o.certificatePem).algorithm
      : o.csr
        ? csrAlgorithm(o.csr)
        : "RSA",
    Domain: o.domains.join(","),
    DomainCount: single,
    WildDomainCount: wild,
    DomainType: wild === 0 ? (single > 1 ? "MULTIPLE" : "ONE") : wild > 1 ? "M_WILDCARD" : "WILDCARD",
    Status: status,
    SourceType: "cpack",
    TrusteeStatus: "unTrustee",
    BuyDate: o.createdAt,
    ...(o.issuedAt !== null && o.certificatePem
      ? (() => {
          const v = validity(o);
          return { CertStartTime: v.notBefore, CertEndTime: v.notAfter };
        })()
      : {}),
  };
}

/**
 * The validity CAS records for an order: the certificate's, or the order's recorded end if earlier
 * (state written before the control API's `expire` signed the certificate again).
 */
function validity(o: Order): { notBefore: number; notAfter: number } {
  const f = certificateFacts(o.certificatePem!);
  return { notBefore: f.notBefore, notAfter: Math.min(f.notAfter, o.notAfter ?? f.notAfter) };
}

function certificateItem(o: Order, now: number): Answer {
  const f = { ...certificateFacts(o.certificatePem!), ...validity(o) };
  return {
    CertificateId: o.certId,
    InstanceId: o.instanceId,
    Name: certificateName(o),
    CommonName: o.domains[0],
    Sans: o.domains.join(","),
    Issuer: brandOf(o.productCode),
    SerialNo: f.serialNo,
    Fingerprint: f.fingerprint,
    Sha2: f.sha2,
    StartDate: day(f.notBefore),
    EndDate: day(f.notAfter),
    Expired: f.notAfter <= now,
    Upload: false,
    ResourceGroupId: RESOURCE_GROUP_ID,
    ...(o.contact.companyName ? { OrgName: o.contact.companyName } : {}),
  };
}

/** UNCONFIRMED: the name CAS gives an issued certificate. */
function certificateName(o: Order): string {
  return `cert-${o.certId}`;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `GetUserCertificateDetail`: every documented field the emulator can fill (no SM-algorithm fields). */
export function certificateDetail(p: Readonly<Record<string, string>>, ctx: ListingContext): Answer {
  if (!p.CertId) throw missing("CertId");
  if (!/^\d+$/.test(p.CertId)) throw invalid("CertId", "a decimal integer");
  const o = ctx.orders.find((x) => x.certId === p.CertId);
  if (!o || !o.certificatePem) throw new ApiFault("NotFound", 404, "The certificate does not exist.");
  const f = { ...certificateFacts(o.certificatePem), ...validity(o) };
  const filtered = p.CertFilter === "true";
  return {
    Id: o.certId,
    OrderId: o.orderId,
    CertIdentifier: `${o.certId}-${ctx.lifecycle.certIdentifierRegion}`,
    InstanceId: o.instanceId,
    ResourceGroupId: RESOURCE_GROUP_ID,
    Name: certificateName(o),
    Common: o.domains[0],
    Sans: o.domains.join(","),
    Issuer: brandOf(o.productCode),
    Algorithm: f.algorithm,
    SerialNo: f.serialNo,
    Fingerprint: f.fingerprint,
    Sha2: f.sha2,
    StartDate: day(f.notBefore),
    EndDate: day(f.notAfter),
    NotBefore: f.notBefore,
    NotAfter: f.notAfter,
    Expired: f.notAfter <= ctx.now,
    BuyInAliyun: true,
    ...(o.contact.companyName ? { OrgName: o.contact.companyName } : {}),
    CertChain: splitPem(o.certificatePem).map((pem) => {
      const c = certificateFacts(pem);
      return {
        CommonName: c.commonName,
        IssuerCommonName: c.issuerCommonName,
        NotBefore: c.notBefore,
        NotAfter: c.notAfter,
        RemainDay: Math.max(0, Math.floor((c.notAfter - ctx.now) / DAY)),
      };
    }),
    ...(filtered ? {} : { Cert: o.certificatePem, ...(o.privateKeyPem ? { Key: o.privateKeyPem } : {}) }),
  };
}
