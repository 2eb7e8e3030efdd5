// The certificate-instance family (V2.0) of CAS, beside the plan model: instances with their states,
// a certificate applied on one (UpdateInstance + ApplyCertificate), validated through
// DomainValidationList, issued by the same validation modes as orders, cancelled, revoked; contacts.
// Sources: the PyPI `alibabacloud_cas20200407` 3.9.4 models and their remarks, and
// aliyun/terraform-provider-alicloud's instance/apply/validation resources (what they wait for and
// retry). What none of them settles is a named option in LifecycleOptions.
import { generateOrderKey } from "./ca";
import { invalid, missing } from "./errors";
import { ApiFault } from "./faults";
import { normalizeName } from "./names";
import { RESOURCE_GROUP_ID } from "./listing";
import { certificateFacts, csrPublicKey, CsrRefused, readCsr, splitPem } from "./pki";
import { DNS_LABEL, validatedName, zoneOf } from "./records";
import {
  principalKeyOf,
  type Contact,
  type EmulatorState,
  type Instance,
  type InstanceApplication,
} from "./state";
import { pageOf, type Page } from "./paging";
import { DAY, FILE_VALIDATION_PATH, ModelBase, own } from "./model-base";

type Answer = Record<string, unknown>;

const NAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const KEY_ALGORITHMS = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_256", "SM2"];

/** UNCONFIRMED code and message for an action the instance's status does not allow (Terraform tolerates it on cancel). */
const statusNotSupport = (status: string, action: string) =>
  new ApiFault(
    "OperationDenied.StatusNotSupport",
    400,
    `The instance is in status ${status}; ${action} is not supported in this status.`,
  );
/** Terraform retries UpdateInstance on this code: an application under review cannot be changed. */
const updateProtection = () =>
  new ApiFault(
    "InvalidStatus.UpdateProtection",
    400,
    "The instance has a certificate application under review and cannot be updated now.",
  );
const notFoundInstance = () => new ApiFault("NotFound.Instance", 404, "The instance does not exist.");

/** What an instance (or the pool) is given when it is added. */
export interface NewInstance {
  instanceType: "BUY" | "TEST";
  brand?: string | undefined;
  certificateType?: "DV" | "OV" | "EV" | undefined;
  /** `ONE_DOMAIN`, `MULTI_DOMAIN`, `WILDCARD_DOMAIN` … (UNCONFIRMED spellings). */
  spec?: string | undefined;
  /** How many names the instance may hold (default 1; TEST instances hold exactly 1). */
  domainCount?: number | undefined;
}

/** `ListInstances` filters, each absent when the request does not give it. */
export interface InstanceFilter {
  instanceType?: string | undefined;
  status?: string | undefined;
  certificateStatus?: string | undefined;
  brand?: string | undefined;
  certificateType?: string | undefined;
  /** Matched without case against the instance id and the applied names. */
  keyword?: string | undefined;
}

/** One tag as `UpdateInstance` gives it (`Tags.N.TagKey`, `Tags.N.TagValue`; N = its position + 1). */
export interface InstanceTag {
  TagKey: string;
  TagValue: string;
}

/**
 * What an `UpdateInstance` request gives, read from the wire and not yet checked: the checks
 * interleave with the instance's state (its status first), so the model makes them, in order.
 * Absent (`undefined`) fields keep what the instance's application has.
 */
export interface InstanceUpdate {
  /** `GenerateCsrMethod`, or the default the request implies (`upload` for a CSR without `Domain`). */
  generateCsrMethod: string;
  /** `Domain`, split on commas, normalized, without repeats; `undefined` when the request has none. */
  domains?: string[] | undefined;
  csr?: string | undefined;
  keyAlgorithm?: string | undefined;
  validationMethod?: string | undefined;
  /** `ContactIdList.N`, in order; empty keeps the application's contacts. */
  contactIds: string[];
  companyId?: string | undefined;
  certificateName?: string | undefined;
  /** `enable` or `disable` when valid. */
  autoReissue?: string | undefined;
  /** `null` when the request gives no tag: the instance keeps its tags. */
  tags: InstanceTag[] | null;
}

/** What `CreateContact` gives, checked. */
export interface NewContact {
  name: string;
  mobile: string;
  email: string | null;
  webhooks: string | null;
}

/** The certificate-instance business rules; writes only the instance and contact parts of state. */
export class InstanceModel extends ModelBase {
  private readonly issuing = new Map<Instance, Promise<void>>();

  // ---- the pool ---------------------------------------------------------------------------

  /** An id no instance of this emulator has (a seed given again on saved state repeats its ids). */
  private newInstanceId(): string {
    for (;;) {
      const id = `cas-cn-${this.rng.token(12)}`;
      if (!Object.prototype.hasOwnProperty.call(this.state.instances, id)) return id;
    }
  }

  /** Adds an inactive instance to an account (the console's "purchase"; money is out of scope). */
  add(accessKeyId: string, spec: NewInstance): Instance {
    const now = this.now();
    const test = spec.instanceType === "TEST";
    const instance: Instance = {
      instanceId: this.newInstanceId(),
      accessKeyId,
      instanceType: spec.instanceType,
      brand: spec.brand ?? "DigiCert",
      certificateType: test ? "DV" : (spec.certificateType ?? "DV"),
      spec: spec.spec ?? "ONE_DOMAIN",
      domainCount: test ? 1 : Math.max(1, spec.domainCount ?? 1),
      status: "inactive",
      statusSince: now,
      createdAt: now,
      application: null,
      tags: [],
      appliedAt: null,
      readsSinceChange: 0,
      recordValue: null,
      settleTo: null,
      failReason: null,
      certificate: null,
    };
    this.state.instances[instance.instanceId] = instance;
    this.persist();
    return instance;
  }

  /** Drops every instance and contact of every account and refills each account's TEST pool. */
  reset(testInstances: number): void {
    this.state.instances = Object.create(null) as EmulatorState["instances"];
    this.state.contacts = Object.create(null) as EmulatorState["contacts"];
    for (const a of this.state.accounts)
      if (principalKeyOf(this.state, a.accessKeyId) === a.accessKeyId)
        this.fillPool(a.accessKeyId, testInstances);
    this.persist();
  }

  /** `count` inactive TEST instances for an account. */
  fillPool(accessKeyId: string, count: number): void {
    for (let i = 0; i < count; i++) this.add(accessKeyId, { instanceType: "TEST" });
  }

  /** Every instance (copies), after due transitions. */
  async all(): Promise<Instance[]> {
    for (const i of Object.values(this.state.instances)) await this.advance(i);
    return Object.values(this.state.instances).map((i) => structuredClone(i));
  }

  /** The DNS records an applied instance waits for in `dns` mode. */
  expectedRecords(instanceId: string): Array<{ name: string; type: string; value: string }> {
    const i = own(this.state.instances, instanceId);
    if (!i) throw notFoundInstance();
    return this.validations(i)
      .filter((v) => v.ValidationType !== "HTTP")
      .map((v) => ({ name: v.fqdn, type: v.ValidationType, value: v.ValidationValue }));
  }

  /**
   * Control API: move a pending instance by hand (`manual` validation), expire its certificate, or
   * reissue it: what CAS does on an instance with `AutoReissue` enabled before its certificate
   * expires (a new certificate, with a new id and key, on the same instance; refused without
   * `AutoReissue`). When CAS reissues is not modelled: the control call says when.
   */
  async control(
    instanceId: string,
    op: "issue" | "fail" | "expire" | "reissue",
    reason?: string,
  ): Promise<Instance> {
    const i = own(this.state.instances, instanceId);
    if (!i) throw notFoundInstance();
    await this.advance(i);
    if (op === "issue") {
      if (i.status !== "pending" || i.settleTo) throw statusNotSupport(i.status, "issue");
      await this.issue(i);
    } else if (op === "fail") {
      if (i.status !== "pending" || i.settleTo) throw statusNotSupport(i.status, "fail");
      i.failReason = reason ?? "The CA's review of the certificate application failed.";
      this.move(i, "closed");
    } else if (op === "reissue") {
      if (
        !i.certificate ||
        i.certificate.revokedAt !== null ||
        (i.status !== "normal" && i.status !== "willExpire")
      )
        throw statusNotSupport(this.status(i), "reissue");
      if (!i.application?.autoReissue)
        throw new ApiFault(
          "OperationDenied.AutoReissue",
          400,
          "The instance does not have AutoReissue enabled: CAS reissues only on instances with automatic hosting.",
        );
      i.certificate = await this.newCertificate(i.application);
      this.persist();
    } else {
      if (!i.certificate) throw statusNotSupport(i.status, "expire");
      i.certificate.notAfter = Math.min(i.certificate.notAfter, this.now() - 1);
      this.persist();
    }
    return structuredClone(i);
  }

  // ---- answers ----------------------------------------------------------------------------

  private mine(accessKeyId: string): Instance[] {
    return Object.values(this.state.instances).filter((i) => i.accessKeyId === accessKeyId);
  }

  /** `GetInstanceSummary`: the caller's instances, or those of one type. */
  async summary(accessKeyId: string, instanceType?: "BUY" | "TEST"): Promise<Answer> {
    const all = this.mine(accessKeyId).filter((i) => !instanceType || i.instanceType === instanceType);
    for (const i of all) await this.advance(i);
    return {
      TotalCount: all.length,
      InactiveCount: all.filter((i) => i.status === "inactive").length,
      WillExpireCount: all.filter((i) => this.certificateStatus(i) === "willExpire").length,
      CertificateCount: all.filter((i) => i.certificate !== null).length,
      AutoReissueCount: all.filter((i) => i.application?.autoReissue === true).length,
    };
  }

  /** `ListInstances`: one page of the caller's instances that match `filter`. */
  async list(accessKeyId: string, filter: InstanceFilter, paging: Page): Promise<Answer> {
    const all = this.mine(accessKeyId);
    for (const i of all) await this.advance(i);
    const keyword = filter.keyword?.toLowerCase();
    const hits = all.filter(
      (i) =>
        (!filter.instanceType || i.instanceType === filter.instanceType) &&
        (!filter.status || this.status(i) === filter.status) &&
        (!filter.certificateStatus || this.certificateStatus(i) === filter.certificateStatus) &&
        (!filter.brand || i.brand === filter.brand) &&
        (!filter.certificateType || i.certificateType === filter.certificateType) &&
        (!keyword ||
          i.instanceId.toLowerCase().includes(keyword) ||
          (i.application?.domains ?? []).some((d) => d.includes(keyword))),
    );
    return {
      TotalCount: hits.length,
      CurrentPage: paging.page,
      ShowSize: paging.size,
      InstanceList: pageOf(hits, paging).map((i) => this.listItem(i)),
    };
  }

  private listItem(i: Instance): Answer {
    const c = i.certificate;
    return {
      InstanceId: i.instanceId,
      InstanceType: i.instanceType,
      Status: this.status(i),
      Brand: i.brand,
      CertificateType: i.certificateType,
      Spec: i.spec,
      FullDomainCount: i.domainCount,
      WildcardDomainCount: 0,
      InstanceStartTime: i.createdAt,
      InstanceEndTime: i.createdAt + 365 * DAY,
      ...(i.application
        ? { Domain: i.application.domains.join(","), KeyAlgorithm: i.application.keyAlgorithm }
        : {}),
      ...(c
        ? {
            CertificateId: Number(c.certId),
            CertIdentifier: `${c.certId}-${this.lifecycle.certIdentifierRegion}`,
            CertificateStatus: this.certificateStatus(i),
            CertificateDomain: c.domains.join(","),
            CertificateNotBefore: c.notBefore,
            CertificateNotAfter: c.notAfter,
            ...(c.revokedAt !== null ? { CertificateRevokeTime: c.revokedAt } : {}),
          }
        : {}),
    };
  }

  async detail(i: Instance): Promise<Answer> {
    i.readsSinceChange += 1;
    await this.advance(i);
    const a = i.application;
    const c = i.certificate;
    const shown = this.validationsShown(i) ? this.validations(i) : [];
    return {
      InstanceId: i.instanceId,
      InstanceType: i.instanceType,
      Status: this.status(i),
      Brand: i.brand,
      CertificateType: i.certificateType,
      Spec: i.spec,
      FullDomainCount: i.domainCount,
      WildcardDomainCount: 0,
      InstanceStartTime: i.createdAt,
      InstanceEndTime: i.createdAt + 365 * DAY,
      Tags: i.tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
      ...(a
        ? {
            Domain: a.domains.join(","),
            KeyAlgorithm: a.keyAlgorithm,
            ValidationMethod: a.validationMethod,
            GenerateCsrMethod: a.csr ? "upload" : "online",
            ...(a.csr ? { Csr: a.csr } : {}),
            ContactIdList: a.contactIds.map(Number),
            ...(a.companyId ? { CompanyId: Number(a.companyId) } : {}),
            AutoReissue: a.autoReissue ? "enable" : "disable",
            ...(a.certificateName ? { CertificateName: a.certificateName } : {}),
          }
        : {}),
      ...(shown.length
        ? {
            DomainValidationList: shown.map((v) => ({
              Domain: v.Domain,
              RootDomain: v.RootDomain,
              ValidationType: v.ValidationType,
              ValidationKey: v.ValidationKey,
              ValidationValue: v.ValidationValue,
            })),
          }
        : {}),
      ...(i.failReason && i.status === "closed" ? { PendingResult: i.failReason } : {}),
      ...(c
        ? {
            CertificateId: Number(c.certId),
            CertIdentifier: `${c.certId}-${this.lifecycle.certIdentifierRegion}`,
            CertificateStatus: this.certificateStatus(i),
            CertificateNotBefore: c.notBefore,
            CertificateNotAfter: c.notAfter,
            ...(c.revokedAt !== null ? { CertificateRevokeTime: c.revokedAt } : {}),
          }
        : {}),
    };
  }

  // ---- writes -----------------------------------------------------------------------------

  /** `UpdateInstance`: checks the request against the instance's state, then sets its application. */
  async update(i: Instance, req: InstanceUpdate): Promise<Answer> {
    if (i.status === "pending") throw updateProtection();
    if (i.status === "closed" || i.status === "refund" || i.status === "expired")
      throw statusNotSupport(i.status, "UpdateInstance");
    const before = i.application;
    const method = req.generateCsrMethod;
    if (method !== "online" && method !== "upload")
      throw invalid("GenerateCsrMethod", "use online or upload");
    let csr: string | null = null;
    let domains = req.domains ?? before?.domains ?? [];
    if (method === "upload") {
      if (!req.csr) throw missing("Csr");
      let facts;
      try {
        facts = await readCsr(req.csr);
      } catch (e) {
        if (e instanceof CsrRefused) throw invalid("Csr", e.message);
        throw e;
      }
      if (!facts.commonName) throw invalid("Csr", "the CN field is required: it names the bound domain");
      csr = facts.pem;
      if (req.domains === undefined) domains = [facts.commonName];
    }
    for (const d of domains)
      if (!NAME_RE.test(d)) throw invalid("Domain", `${JSON.stringify(d)} is not a domain name`);
    if (domains.length > i.domainCount)
      throw invalid("Domain", `the instance holds ${i.domainCount} name(s); ${domains.length} given`);
    if (i.instanceType === "TEST" && domains.some((d) => d.startsWith("*.")))
      throw invalid("Domain", "a test certificate takes a single name, not a wildcard");
    const keyAlgorithm = req.keyAlgorithm || before?.keyAlgorithm || "RSA_2048";
    if (!KEY_ALGORITHMS.includes(keyAlgorithm))
      throw invalid("KeyAlgorithm", `one of ${KEY_ALGORITHMS.join(", ")}`);
    const validationMethod = req.validationMethod || before?.validationMethod || "DNS";
    if (validationMethod !== "DNS" && validationMethod !== "HTTP")
      throw invalid("ValidationMethod", "use DNS or HTTP");
    const contactIds = req.contactIds;
    for (const id of contactIds) this.contact(id, i.accessKeyId);
    if (req.autoReissue && req.autoReissue !== "enable" && req.autoReissue !== "disable")
      throw invalid("AutoReissue", "use enable or disable");
    const tags = req.tags && checkInstanceTags(req.tags);
    const application: InstanceApplication = {
      domains,
      csr,
      keyAlgorithm,
      validationMethod,
      contactIds: contactIds.length ? contactIds : (before?.contactIds ?? []),
      companyId: req.companyId || before?.companyId || null,
      certificateName: req.certificateName || before?.certificateName || null,
      autoReissue: req.autoReissue ? req.autoReissue === "enable" : (before?.autoReissue ?? false),
    };
    i.application = application;
    // Tags given replace the instance's tags (UNCONFIRMED: the remarks say only "the list of tags").
    if (tags) i.tags = tags;
    this.persist();
    return {};
  }

  async apply(i: Instance): Promise<Answer> {
    if (i.status === "pending") throw statusNotSupport(i.status, "ApplyCertificate");
    if (i.status !== "inactive" && i.status !== "normal" && i.status !== "willExpire")
      throw statusNotSupport(i.status, "ApplyCertificate");
    const a = i.application;
    if (!a || a.domains.length === 0) throw missing("Domain");
    // "If no contact has been configured, specify at least one contact ID. Otherwise, you cannot call ApplyCertificate."
    if (a.contactIds.length === 0) throw missing("ContactIdList");
    if ((i.certificateType === "OV" || i.certificateType === "EV") && !a.companyId)
      throw missing("CompanyId");
    i.recordValue = `${new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, "")}${this.rng.token(48)}`;
    i.appliedAt = this.now();
    i.failReason = null;
    this.move(i, "pending");
    return {};
  }

  /** `TaskId` = the instance id, as one public program sends it (UNCONFIRMED: no source says what else it takes). */
  async task(taskId: string, accessKeyId: string): Promise<Answer> {
    const i = own(this.state.instances, taskId);
    if (!i || i.accessKeyId !== accessKeyId || i.appliedAt === null)
      throw new ApiFault("NotFound.Task", 404, "The task does not exist.");
    await this.advance(i);
    if (i.status === "closed") return { TaskStatus: "failed", TaskMessage: i.failReason ?? "failed" };
    return { TaskStatus: "success" };
  }

  async cancel(i: Instance): Promise<Answer> {
    if (i.status !== "pending" || i.settleTo)
      throw statusNotSupport(this.status(i), "CancelPendingCertificate");
    // Asynchronous: the instance leaves `pending` on a later read (cancelSettlesTo is a guess).
    i.settleTo = i.certificate ? "normal" : this.lifecycle.cancelSettlesTo;
    i.readsSinceChange = 0;
    this.persist();
    return {};
  }

  /** `RevokeCertificate`; `certificateId`, when given, must be the instance's certificate. */
  async revoke(i: Instance, certificateId?: string): Promise<Answer> {
    if (i.instanceType === "TEST" && !this.lifecycle.testInstancesRevocable)
      throw new ApiFault(
        "OperationDenied.InstanceType",
        400,
        "RevokeCertificate accepts only purchased (BUY) certificate instances.",
      );
    const c = i.certificate;
    if (!c || c.revokedAt !== null) throw statusNotSupport(this.status(i), "RevokeCertificate");
    if (certificateId && certificateId !== c.certId)
      throw invalid("CertificateId", "not the instance's certificate");
    c.revokedAt = this.now();
    this.persist();
    return {};
  }

  // ---- contacts ---------------------------------------------------------------------------

  /** `CreateContact`: a new contact of the caller's. */
  createContact(accessKeyId: string, c: NewContact): Answer {
    const id = String(this.state.nextContactId++);
    this.state.contacts[id] = {
      contactId: id,
      accessKeyId,
      name: c.name,
      mobile: c.mobile,
      email: c.email,
      webhooks: c.webhooks,
    };
    this.persist();
    return { ContactId: Number(id) };
  }

  /** `ListContact`: one page of the caller's contacts that match `keyword` (without case). */
  listContacts(accessKeyId: string, keyword: string | undefined, paging: Page): Answer {
    const match = keyword?.toLowerCase();
    const hits = Object.values(this.state.contacts).filter(
      (c) =>
        c.accessKeyId === accessKeyId &&
        (!match ||
          c.name.toLowerCase().includes(match) ||
          c.mobile.includes(match) ||
          (c.email ?? "").toLowerCase().includes(match)),
    );
    return {
      TotalCount: hits.length,
      CurrentPage: paging.page,
      ShowSize: paging.size,
      ...(keyword ? { Keyword: keyword } : {}),
      ContactList: pageOf(hits, paging).map((c) => this.contactAnswer(c)),
    };
  }

  contact(id: string | undefined, accessKeyId: string): Contact {
    if (!id) throw missing("ContactId");
    if (!/^\d+$/.test(id)) throw invalid("ContactId", "a decimal integer");
    const c = own(this.state.contacts, id);
    if (!c || c.accessKeyId !== accessKeyId)
      throw new ApiFault("NotFound.Contact", 404, "The contact does not exist.");
    return c;
  }

  contactAnswer(c: Contact): Answer {
    return {
      ContactId: Number(c.contactId),
      Name: c.name,
      Mobile: c.mobile,
      ...(c.email ? { Email: c.email, EmailStatus: 1 } : {}),
      MobileStatus: 1,
      ...(c.webhooks ? { Webhooks: c.webhooks } : {}),
    };
  }

  // ---- life cycle -------------------------------------------------------------------------

  /** The status answered: a cancelled application still reads `pending` until it settles. */
  private status(i: Instance): string {
    if (i.status === "normal" && i.certificate && this.certificateStatus(i) === "willExpire")
      return "willExpire";
    return i.status;
  }

  private certificateStatus(i: Instance): string | undefined {
    const c = i.certificate;
    if (!c) return undefined;
    if (c.revokedAt !== null) return "revoked";
    if (c.notAfter <= this.now()) return "expired";
    if (c.notAfter - this.now() <= this.lifecycle.expiringDays * DAY) return "willExpire";
    return "issued";
  }

  /** Whether reads have gone far enough since apply for `DomainValidationList` to appear. */
  private validationsShown(i: Instance): boolean {
    return (
      i.status === "pending" && !i.settleTo && i.readsSinceChange > this.lifecycle.instanceAnswersAfterReads
    );
  }

  /**
   * One validation entry per applied name: `RootDomain` is its zone (the configured zones, else the
   * last two labels), `ValidationKey` the host record relative to it (Terraform publishes
   * rr = ValidationKey in zone = RootDomain), in the `validationKeyStyle` form.
   */
  private validations(i: Instance): Array<{
    Domain: string;
    RootDomain: string;
    ValidationType: string;
    ValidationKey: string;
    ValidationValue: string;
    fqdn: string;
  }> {
    const a = i.application;
    if (!a || i.recordValue === null) return [];
    return a.domains.map((d) => {
      const name = validatedName(d, this.lifecycle.wwwParent);
      const root = zoneOf(name, this.lifecycle.zones);
      if (a.validationMethod === "HTTP")
        return {
          Domain: d,
          RootDomain: root,
          ValidationType: "HTTP",
          ValidationKey: `http://${name}${FILE_VALIDATION_PATH}`,
          ValidationValue: i.recordValue!,
          fqdn: name,
        };
      const fqdn = `${DNS_LABEL}.${name}`;
      const relative = fqdn.slice(0, -(root.length + 1));
      return {
        Domain: d,
        RootDomain: root,
        ValidationType: this.lifecycle.recordType,
        ValidationKey: this.lifecycle.validationKeyStyle === "fqdn" ? fqdn : relative,
        ValidationValue: i.recordValue!,
        fqdn,
      };
    });
  }

  private recordsPublished(i: Instance): boolean {
    const want = this.expectedRecords(i.instanceId);
    return (
      want.length > 0 &&
      want.every((w) =>
        this.state.dnsRecords.some(
          (r) => normalizeName(r.name) === w.name && r.type.toUpperCase() === w.type && r.value === w.value,
        ),
      )
    );
  }

  /** Due transitions: a cancel settles after reads; an application is validated and issued by the validation mode. */
  async advance(i: Instance): Promise<void> {
    const lc = this.lifecycle;
    if (i.status !== "pending") return;
    if (i.settleTo) {
      if (i.readsSinceChange > lc.instanceAnswersAfterReads) {
        const to = i.settleTo;
        i.settleTo = null;
        i.recordValue = null;
        this.move(i, to);
      }
      return;
    }
    // Validation starts once the records were there to be read.
    if (!this.validationsShown(i)) return;
    const since = i.statusSince;
    const validated =
      (lc.validation === "auto" && this.now() - since >= lc.validateAfterMs) ||
      (lc.validation === "dns" && this.recordsPublished(i));
    if (
      validated &&
      this.now() - since >= (lc.validation === "auto" ? lc.validateAfterMs : 0) + lc.issueAfterMs
    )
      await this.issue(i);
  }

  private move(i: Instance, status: Instance["status"]): void {
    i.status = status;
    i.statusSince = this.now();
    i.readsSinceChange = 0;
    this.persist();
  }

  private issue(i: Instance): Promise<void> {
    let pending = this.issuing.get(i);
    if (!pending) {
      pending = this.issueOnce(i).finally(() => this.issuing.delete(i));
      this.issuing.set(i, pending);
    }
    return pending;
  }

  private async issueOnce(i: Instance): Promise<void> {
    const certificate = await this.newCertificate(i.application!);
    if (i.status !== "pending" || i.settleTo) return;
    i.certificate = certificate;
    i.recordValue = null;
    this.move(i, "normal");
  }

  /** A certificate for an application: the CSR's key, or a key of its algorithm made here. */
  private async newCertificate(a: InstanceApplication): Promise<NonNullable<Instance["certificate"]>> {
    let spki: ArrayBuffer;
    let privateKeyPem: string | null = null;
    if (a.csr) spki = csrPublicKey(a.csr);
    else {
      const key = await generateOrderKey(a.keyAlgorithm);
      privateKeyPem = key.privateKeyPem;
      spki = key.publicKeySpki;
    }
    // Test certificates last 3 months (dnsmgr CertHelper.php): the default certificateDays, 90.
    const days = this.lifecycle.certificateDays;
    const start = this.now() - 60_000;
    const leaf = await this.ca.issue(spki, a.domains, new Date(start), days);
    return {
      certId: String(this.state.nextCertId++),
      domains: [...a.domains],
      pem: leaf + this.ca.material.certificatePem,
      privateKeyPem,
      notBefore: start,
      notAfter: start + days * DAY,
      revokedAt: null,
    };
  }

  /**
   * `GetUserCertificateDetail` of an instance's certificate (`CertId` = the instance's
   * `CertificateId`), or `undefined` when `certId` is not one: the plan model answers then. The
   * PEMs (`Cert`, `Key`) only `withPem` (the request's `CertFilter` is not `true`).
   */
  async certificateDetail(
    certId: string,
    accessKeyId: string,
    withPem: boolean,
  ): Promise<Answer | undefined> {
    const found = this.mine(accessKeyId).find((x) => x.certificate?.certId === certId);
    if (!found?.certificate) return undefined;
    await this.advance(found);
    const c = found.certificate;
    const now = this.now();
    const f = certificateFacts(c.pem);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    return {
      Id: Number(c.certId),
      CertIdentifier: `${c.certId}-${this.lifecycle.certIdentifierRegion}`,
      InstanceId: found.instanceId,
      ResourceGroupId: RESOURCE_GROUP_ID,
      Name: found.application?.certificateName ?? `cert-${c.certId}`,
      Common: c.domains[0],
      Sans: c.domains.join(","),
      Issuer: found.brand,
      Algorithm: f.algorithm,
      SerialNo: f.serialNo,
      Fingerprint: f.fingerprint,
      Sha2: f.sha2,
      StartDate: day(c.notBefore),
      EndDate: day(c.notAfter),
      NotBefore: c.notBefore,
      NotAfter: c.notAfter,
      Expired: c.notAfter <= now,
      BuyInAliyun: true,
      CertChain: splitPem(c.pem).map((pem) => {
        const x = certificateFacts(pem);
        return {
          CommonName: x.commonName,
          IssuerCommonName: x.issuerCommonName,
          NotBefore: x.notBefore,
          NotAfter: x.notAfter,
          RemainDay: Math.max(0, Math.floor((x.notAfter - now) / DAY)),
        };
      }),
      ...(withPem ? { Cert: c.pem, ...(c.privateKeyPem ? { Key: c.privateKeyPem } : {}) } : {}),
    };
  }

  /** The caller's instance `instanceId`; NotFound.Instance for another account's. */
  async instance(instanceId: string, accessKeyId: string): Promise<Instance> {
    const i = own(this.state.instances, instanceId);
    if (!i || i.accessKeyId !== accessKeyId) throw notFoundInstance();
    return i;
  }
}

/**
 * The tags an update gives, checked ("Valid values of N: 1 to 20"; key non-empty, ≤ 64; value ≤ 128),
 * each error naming the wire parameter (`Tags.N.TagKey`).
 */
function checkInstanceTags(tags: readonly InstanceTag[]): InstanceTag[] {
  tags.forEach(({ TagKey: key, TagValue: value }, index) => {
    const n = index + 1;
    if (!key || key.length > 64 || /^(aliyun|acs:)/i.test(key) || /https?:\/\//i.test(key))
      throw invalid(
        `Tags.${n}.TagKey`,
        "1 to 64 characters, not starting with aliyun or acs:, no http(s)://",
      );
    if (value.length > 128 || /^(aliyun|acs:)/i.test(value) || /https?:\/\//i.test(value))
      throw invalid(
        `Tags.${n}.TagValue`,
        "up to 128 characters, not starting with aliyun or acs:, no http(s)://",
      );
  });
  if (tags.length > 20) throw invalid("Tags", "at most 20 tags");
  return tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}
