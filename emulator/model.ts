import { createPublicKey } from "node:crypto";
import { DEFAULT_PRODUCT_CODE, MAX_PACKAGE_DOMAINS, PRODUCTS } from "../provider/cas/products";
import { CsrError, normalizeDomain, parseCsr } from "../provider/pki/csr";
import { describeCertificate } from "../provider/pki/certificate";
import { loadX509 } from "../provider/pki/x509";
import { generateOrderKey, type EmulatorCa } from "./ca";
import { ApiFault } from "./faults";
import type { LifecycleOptions } from "./lifecycle";
import { DNS_LABEL, recordDomain } from "./records";
import type { SeededRandom } from "./rng";
import type { EmulatorState, Order, OrderState, Plan } from "./state";

export { DEFAULT_LIFECYCLE, type LifecycleOptions } from "./lifecycle";

const DAY = 86400_000;
const REVOKE_REFUND_WINDOW = 30 * DAY;
const DOMAIN_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const FILE_URI = "/.well-known/pki-validation/fileauth.txt";

type Params = Readonly<Record<string, string>>;
type Answer = Record<string, unknown>;

const invalid = (name: string, why: string) =>
  new ApiFault("InvalidParameter", 400, `The specified parameter "${name}" is not valid: ${why}`);
const missing = (name: string) =>
  new ApiFault(
    "MissingParameter",
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
const notFoundOrder = () => new ApiFault("NotFoundOrder", 404, "The order does not exist.");
const stateError = (state: string, action: string) =>
  new ApiFault(
    "OrderStateError",
    403,
    `The order is in state ${state}; ${action} is not allowed in this state.`,
  );

/** The resource-plan business rules of CAS: quota, order states, validation data, issuance. */
export class CasModel {
  constructor(
    readonly state: EmulatorState,
    private readonly ca: EmulatorCa,
    readonly lifecycle: LifecycleOptions,
    private readonly rng: SeededRandom,
    private readonly now: () => number,
    private readonly persist: () => void,
  ) {}

  /** Runs one API action for the caller's access key. */
  async handle(action: string, p: Params, accessKeyId: string): Promise<Answer> {
    switch (action) {
      case "DescribePackageState": {
        const code = p.ProductCode || DEFAULT_PRODUCT_CODE;
        const plan = this.plans(accessKeyId)[code] ?? { total: 0, used: 0, issued: 0 };
        return { TotalCount: plan.total, UsedCount: plan.used, IssuedCount: plan.issued, ProductCode: code };
      }
      case "CreateCertificateRequest":
        return this.create(action, p, accessKeyId, {
          needsDomain: true,
          needsContact: true,
          dvOnly: true,
          single: true,
        });
      case "CreateCertificateWithCsrRequest":
        return this.create(action, p, accessKeyId, {
          needsCsr: true,
          needsContact: true,
          dvOnly: true,
          single: true,
        });
      case "CreateCertificateForPackageRequest":
        return this.create(action, p, accessKeyId, {});
      case "DescribeCertificateState":
        return this.describe(await this.order(p, accessKeyId));
      case "CancelOrderRequest": {
        const o = await this.order(p, accessKeyId);
        if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, action);
        this.move(o, "payed");
        return {};
      }
      case "DeleteCertificateRequest": {
        const o = await this.order(p, accessKeyId);
        if (o.state !== "verify_fail" && o.state !== "payed") throw stateError(o.state, action);
        delete this.state.orders[o.orderId];
        this.plan(o).used -= 1;
        this.persist();
        return {};
      }
      case "CancelCertificateForPackageRequest": {
        const o = await this.order(p, accessKeyId);
        if (o.state !== "certificate") throw stateError(o.state, action);
        if (o.issuedAt !== null && this.now() - o.issuedAt <= REVOKE_REFUND_WINDOW) {
          this.plan(o).used -= 1;
          this.plan(o).issued -= 1;
        }
        this.move(o, "revoked");
        return {};
      }
      case "RenewCertificateOrderForPackageRequest": {
        const o = await this.order(p, accessKeyId);
        if (o.state !== "certificate") throw stateError(o.state, action);
        return this.create(
          action,
          {
            ProductCode: o.productCode,
            Domain: o.domains.join(","),
            Csr: p.Csr ?? "",
            ValidateType: o.validateType,
          },
          accessKeyId,
          {},
        );
      }
      case "ListUserCertificateOrder":
        return this.list(p, accessKeyId);
      case "GetUserCertificateDetail":
        return this.detail(p, accessKeyId);
      default:
        throw new ApiFault(
          "InvalidAction.NotFound",
          404,
          "Specified api is not found, please check your url and method.",
        );
    }
  }

  // ---- creation -------------------------------------------------------------------------

  private async create(
    action: string,
    p: Params,
    accessKeyId: string,
    rules: {
      needsDomain?: boolean;
      needsCsr?: boolean;
      needsContact?: boolean;
      dvOnly?: boolean;
      single?: boolean;
    },
  ): Promise<Answer> {
    if (rules.needsDomain && !p.Domain) throw missing("Domain");
    if (rules.needsCsr && !p.Csr) throw missing("Csr");
    if (rules.needsContact) for (const f of ["Username", "Phone", "Email"]) if (!p[f]) throw missing(f);
    if (rules.needsContact && !p.ValidateType) throw missing("ValidateType");
    if (!p.Domain && !p.Csr) throw missing("Domain");
    const validateType = p.ValidateType || "DNS";
    if (validateType !== "DNS" && validateType !== "FILE") throw invalid("ValidateType", "use DNS or FILE");
    const productCode = p.ProductCode || DEFAULT_PRODUCT_CODE;
    const product = PRODUCTS[productCode];
    if (!product) throw invalid("ProductCode", `unknown product code ${productCode}`);
    if (rules.dvOnly && product.level !== "DV")
      throw invalid("ProductCode", `${action} accepts DV product codes only`);

    let csrPem: string | null = null;
    let domains: string[];
    if (p.Csr) {
      try {
        const info = await parseCsr(p.Csr);
        if (!info.commonName) throw new CsrError("the CSR subject has no CN");
        csrPem = info.pem;
        // If both are given the CSR's CN wins (documented); its SANs come along.
        domains = [info.commonName, ...info.sans.filter((n) => n !== info.commonName)];
      } catch (e) {
        if (e instanceof CsrError) throw invalid("Csr", e.message);
        throw e;
      }
    } else {
      domains = p.Domain!.split(",").map(normalizeDomain).filter(Boolean);
    }
    domains = [...new Set(domains)];
    const limit = rules.single ? 1 : MAX_PACKAGE_DOMAINS;
    if (domains.length > limit) throw invalid("Domain", `at most ${limit} domain name(s) per order`);
    for (const d of domains)
      if (!DOMAIN_RE.test(d)) throw invalid("Domain", `${d} is not a valid domain name`);
    const wild = domains.filter((d) => d.startsWith("*."));
    if (wild.length > 0 && wild.length < domains.length)
      throw invalid("Domain", "do not mix wildcard and single names in one order");
    if (wild.length > 0 !== product.wildcard)
      throw invalid(
        "Domain",
        `${productCode} is a ${product.wildcard ? "wildcard" : "single-domain"} product`,
      );

    const plan = this.plans(accessKeyId)[productCode];
    if (!plan || plan.total === 0)
      throw new ApiFault(
        "NotFoundPackage",
        404,
        "No certificate resource plan of this specification was purchased.",
      );
    if (plan.used >= plan.total)
      throw new ApiFault("NotRemainCount", 404, "The resource plan has no remaining quota.");

    const now = this.now();
    const orderId = this.state.nextOrderId;
    this.state.nextOrderId = (BigInt(orderId) + 1n).toString();
    const order: Order = {
      orderId,
      accessKeyId,
      action,
      productCode,
      domains,
      csr: csrPem,
      validateType,
      contact: {
        username: p.Username ?? null,
        phone: p.Phone ?? null,
        email: p.Email ?? null,
        companyName: p.CompanyName ?? null,
      },
      tags: tagsOf(p),
      state: "domain_verify",
      statusReason: null,
      createdAt: now,
      stateSince: now,
      issuedAt: null,
      notAfter: null,
      recordValue: `${new Date(now).toISOString().slice(0, 10).replace(/-/g, "")}${this.rng.token(48)}`,
      certificatePem: null,
      privateKeyPem: null,
      certId: null,
    };
    this.state.orders[orderId] = order;
    plan.used += 1;
    this.persist();
    return { OrderId: orderId };
  }

  // ---- reading --------------------------------------------------------------------------

  private describe(o: Order): Answer {
    switch (o.state) {
      case "domain_verify": {
        const base = { Type: o.state, ValidateType: o.validateType };
        if (o.validateType === "FILE")
          return {
            ...base,
            Domain: o.domains[0]!.replace(/^\*\./, ""),
            Uri: FILE_URI,
            Content: o.recordValue,
          };
        return {
          ...base,
          RecordDomain: this.recordDomain(o.domains[0]!),
          RecordType: this.lifecycle.recordType,
          RecordValue: o.recordValue,
        };
      }
      case "certificate":
        return {
          Type: o.state,
          Certificate: o.certificatePem,
          ...(o.privateKeyPem ? { PrivateKey: o.privateKeyPem } : {}),
        };
      default:
        return { Type: o.state };
    }
  }

  /** The expected validation record of one ordered name, as CAS would state it. */
  recordDomain(domain: string): string {
    return recordDomain(domain, this.lifecycle.recordDomainStyle, this.lifecycle.zones);
  }

  private async list(p: Params, accessKeyId: string): Promise<Answer> {
    const type = p.OrderType || "CPACK";
    if (!["CPACK", "BUY", "CERT", "UPLOAD"].includes(type))
      throw invalid("OrderType", "use CPACK, BUY, CERT or UPLOAD");
    const page = Number(p.CurrentPage || 1);
    const size = Number(p.ShowSize || 50);
    if (!Number.isInteger(page) || page < 1) throw invalid("CurrentPage", "a positive integer");
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      throw invalid("ShowSize", "an integer from 1 to 1000");
    const keyword = (p.Keyword ?? "").toLowerCase();
    const all: Answer[] = [];
    for (const o of Object.values(this.state.orders)) {
      if (o.accessKeyId !== accessKeyId) continue;
      await this.advance(o);
      if (keyword && !o.domains.some((d) => d.includes(keyword)) && !o.orderId.includes(keyword)) continue;
      const status = this.listStatus(o);
      if (type === "CPACK") {
        if (p.Status && p.Status !== status) continue;
        all.push({
          OrderId: o.orderId,
          InstanceId: `cas-cpack-${o.orderId}`,
          ProductCode: o.productCode,
          ProductName: o.productCode,
          Domain: o.domains.join(","),
          DomainCount: o.domains.filter((d) => !d.startsWith("*.")).length,
          WildDomainCount: o.domains.filter((d) => d.startsWith("*.")).length,
          CertType: PRODUCTS[o.productCode]?.level ?? "DV",
          Status: status,
          SourceType: "cpack",
          BuyDate: o.createdAt,
          ...(o.issuedAt ? { CertStartTime: o.issuedAt, CertEndTime: o.notAfter } : {}),
        });
      } else if (type === "CERT" && o.certId && o.state === "certificate") {
        all.push({
          CertificateId: o.certId,
          OrderId: o.orderId,
          CommonName: o.domains[0],
          Sans: o.domains.join(","),
          Status: status,
        });
      }
    }
    all.sort((a, b) => (BigInt(String(b.OrderId)) > BigInt(String(a.OrderId)) ? 1 : -1));
    return {
      TotalCount: all.length,
      CurrentPage: page,
      ShowSize: size,
      CertificateOrderList: all.slice((page - 1) * size, page * size),
    };
  }

  private listStatus(o: Order): string {
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
      case "certificate": {
        const left = (o.notAfter ?? 0) - this.now();
        return left <= 0 ? "EXPIRED" : left <= 30 * DAY ? "WILLEXPIRED" : "ISSUED";
      }
    }
  }

  private async detail(p: Params, accessKeyId: string): Promise<Answer> {
    if (!p.CertId) throw missing("CertId");
    const o = Object.values(this.state.orders).find(
      (x) => x.certId === p.CertId && x.accessKeyId === accessKeyId,
    );
    if (!o || !o.certificatePem) throw new ApiFault("NotFound", 404, "The certificate does not exist.");
    const info = await describeCertificate(o.certificatePem);
    const filtered = p.CertFilter === "true";
    return {
      Id: o.certId,
      OrderId: o.orderId,
      Name: `cert-${o.orderId}`,
      Common: o.domains[0],
      Sans: o.domains.join(","),
      Issuer: "CAS Emulator Root CA",
      SerialNo: info.serialNumber,
      Sha2: info.fingerprintSha256.replace(/:/g, ""),
      StartDate: info.notBefore.slice(0, 10),
      EndDate: info.notAfter.slice(0, 10),
      NotBefore: Date.parse(info.notBefore),
      NotAfter: Date.parse(info.notAfter),
      Expired: Date.parse(info.notAfter) <= this.now(),
      BuyInAliyun: true,
      ...(filtered ? {} : { Cert: o.certificatePem, ...(o.privateKeyPem ? { Key: o.privateKeyPem } : {}) }),
    };
  }

  // ---- life cycle -----------------------------------------------------------------------

  /** Applies the transitions that are due by time or by published DNS records. */
  async advance(o: Order): Promise<void> {
    const lc = this.lifecycle;
    if (o.state === "domain_verify") {
      if (lc.validation === "auto" && this.now() - o.stateSince >= lc.validateAfterMs) {
        this.move(o, "process", o.stateSince + lc.validateAfterMs);
      } else if (lc.validation === "dns" && this.recordsPublished(o)) {
        this.move(o, "process");
      }
    }
    if (o.state === "process" && lc.validation !== "manual" && this.now() - o.stateSince >= lc.issueAfterMs) {
      await this.issue(o);
    }
  }

  /** Expected DNS records of an order, one per name (apex and wildcard of one name share one). */
  expectedRecords(o: Order): Array<{ name: string; type: string; value: string }> {
    const names = [...new Set(o.domains.map((d) => d.replace(/^\*\./, "")))];
    return names.map((n) => ({
      name: `${DNS_LABEL}.${n}`,
      type: this.lifecycle.recordType,
      value: o.recordValue,
    }));
  }

  private recordsPublished(o: Order): boolean {
    return this.expectedRecords(o).every((want) =>
      this.state.dnsRecords.some(
        (r) =>
          normalizeDomain(r.name) === want.name &&
          r.type.toUpperCase() === want.type &&
          r.value === want.value,
      ),
    );
  }

  private move(o: Order, state: OrderState, since = this.now(), reason: string | null = null): void {
    o.state = state;
    o.stateSince = since;
    o.statusReason = reason;
    this.persist();
  }

  /** Issues a real certificate signed by the emulator CA. */
  async issue(o: Order): Promise<void> {
    let spki: ArrayBuffer;
    if (o.csr) {
      const der = createPublicKey(await csrPublicKeyPem(o.csr)).export({ type: "spki", format: "der" });
      spki = der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
    } else {
      const key = generateOrderKey();
      o.privateKeyPem = key.privateKeyPem;
      spki = key.publicKeySpki;
    }
    const issuedAt = this.now();
    const leaf = await this.ca.issue(
      spki,
      o.domains,
      new Date(issuedAt - 60_000),
      this.lifecycle.certificateDays,
    );
    o.certificatePem = leaf + this.ca.material.certificatePem;
    o.issuedAt = issuedAt;
    o.notAfter = issuedAt - 60_000 + this.lifecycle.certificateDays * DAY;
    o.certId = String(this.state.nextCertId++);
    this.plan(o).issued += 1;
    this.move(o, "certificate", issuedAt);
  }

  // ---- control --------------------------------------------------------------------------

  /** Control API: move an order by hand. */
  async control(
    orderId: string,
    op: "approve" | "fail" | "issue" | "expire",
    reason?: string,
  ): Promise<Order> {
    const o = this.state.orders[orderId];
    if (!o) throw notFoundOrder();
    await this.advance(o);
    if (op === "approve") {
      if (o.state !== "domain_verify") throw stateError(o.state, "approve");
      this.move(o, "process");
    } else if (op === "fail") {
      if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, "fail");
      this.move(
        o,
        "verify_fail",
        this.now(),
        reason ?? "Domain validation failed: the expected record was not found.",
      );
    } else if (op === "issue") {
      if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, "issue");
      await this.issue(o);
    } else {
      if (o.state !== "certificate") throw stateError(o.state, "expire");
      o.notAfter = this.now() - 1;
      this.persist();
    }
    return o;
  }

  private plans(accessKeyId: string): Record<string, Plan> {
    return (this.state.plans[accessKeyId] ??= {});
  }

  private plan(o: Order): Plan {
    return (this.plans(o.accessKeyId)[o.productCode] ??= { total: 0, used: 0, issued: 0 });
  }

  private async order(p: Params, accessKeyId: string): Promise<Order> {
    if (!p.OrderId) throw missing("OrderId");
    if (!/^\d+$/.test(p.OrderId)) throw invalid("OrderId", "a decimal integer");
    const o = this.state.orders[p.OrderId];
    if (!o || o.accessKeyId !== accessKeyId || o.state === "revoked") throw notFoundOrder();
    await this.advance(o);
    return o;
  }
}

function tagsOf(p: Params): Array<{ Key: string; Value: string }> {
  const tags: Array<{ Key: string; Value: string }> = [];
  for (let i = 1; p[`Tags.${i}.Key`] !== undefined; i++)
    tags.push({ Key: p[`Tags.${i}.Key`]!, Value: p[`Tags.${i}.Value`] ?? "" });
  return tags;
}

async function csrPublicKeyPem(csrPem: string): Promise<string> {
  const x509 = loadX509();
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  return x509.PemConverter.encode(csr.publicKey.rawData, "PUBLIC KEY");
}
