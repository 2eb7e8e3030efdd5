import { generateOrderKey } from "./ca";
import { notFoundOrder, stateError } from "./errors";
import { ApiFault } from "./faults";
import type { ListingContext } from "./listing";
import { normalizeName, type Binding } from "./names";
import { certificateFacts, certificatePublicKey, csrPublicKey, splitPem } from "./pki";
import { isProductCode, PRODUCTS } from "./products";
import { expectedRecordNames, recordDomain, validatedName, type RecordRules } from "./records";
import { principalKeyOf, type EmulatorState, type Order, type OrderState, type Plan } from "./state";
import { DAY, FILE_VALIDATION_PATH, ModelBase, own } from "./model-base";

/** UNCONFIRMED: a revoke within this many days of issuance returns the quota. */
const REVOKE_REFUND_WINDOW = 30 * DAY;
/** Default note on a failed order: `verify_fail` is "review failed" (the CA refused the application). */
const REVIEW_FAILED =
  "The CA's review of the certificate application failed; the application information may be wrong.";

type Answer = Record<string, unknown>;

/** What an order is placed with, read from a create or renew request. */
export interface NewOrder {
  productCode: string;
  binding: Binding;
  validateType: "DNS" | "FILE";
  contact: Order["contact"];
  tags: Order["tags"];
}

/**
 * The resource-plan business rules of CAS: quota, order states, validation data, issuance, as typed
 * calls (responses.ts reads the wire). With the instance model, the only writer of state.
 */
export class CasModel extends ModelBase {
  /** Issuances in progress, by order. */
  private readonly issuing = new Map<Order, Promise<void>>();

  /** A plan's counts (zeros when the account has none for the code). */
  packageState(accessKeyId: string, productCode: string): Plan {
    return own(this.plans(accessKeyId), productCode) ?? { total: 0, used: 0, issued: 0 };
  }

  /**
   * "Cancels a certificate application order that is in the pending validation or being reviewed
   * state"; DeleteCertificateRequest's remark: its status "changes to pending application".
   */
  async cancelOrder(orderId: string, accessKeyId: string): Promise<void> {
    const o = await this.order(orderId, accessKeyId);
    if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, "CancelOrderRequest");
    this.move(o, "payed");
  }

  /** Deletes a failed or cancelled order; its unit of the plan comes back. */
  async deleteOrder(orderId: string, accessKeyId: string): Promise<void> {
    const o = await this.order(orderId, accessKeyId);
    if (o.state !== "verify_fail" && o.state !== "payed")
      throw stateError(o.state, "DeleteCertificateRequest");
    delete this.state.orders[o.orderId];
    this.plan(o).used -= 1;
    this.persist();
  }

  /** Revokes an issued certificate; within {@link REVOKE_REFUND_WINDOW} of issuance the quota comes back. */
  async revokeOrder(orderId: string, accessKeyId: string): Promise<void> {
    const o = await this.order(orderId, accessKeyId);
    if (o.state !== "certificate") throw stateError(o.state, "CancelCertificateForPackageRequest");
    if (o.issuedAt !== null && this.now() - o.issuedAt <= REVOKE_REFUND_WINDOW) {
      this.plan(o).used -= 1;
      this.plan(o).issued -= 1;
    }
    this.move(o, "revoked");
  }

  /**
   * The account's orders for a list or detail answer. Only those the answer can include (`shown`)
   * are brought up to date: a list for one name must not issue every due certificate of the
   * account (a key generation each), or one read does the work of hundreds and answers late.
   */
  async listing(accessKeyId: string, shown: (o: Order) => boolean): Promise<ListingContext> {
    const orders = Object.values(this.state.orders).filter((o) => o.accessKeyId === accessKeyId);
    for (const o of orders) if (shown(o)) await this.advance(o);
    return { orders, now: this.now(), lifecycle: this.lifecycle };
  }

  // ---- creation -------------------------------------------------------------------------

  /** Places an order on the account's plan for `productCode` (an order or a renewal). */
  placeOrder(
    action: string,
    accessKeyId: string,
    request: NewOrder,
    state: OrderState = "domain_verify",
  ): Order {
    const { productCode, binding, validateType, contact, tags } = request;
    const plan = own(this.plans(accessKeyId), productCode);
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
      instanceId: `cas-ivauto-${this.rng.token(10)}`,
      accessKeyId,
      action,
      productCode,
      domains: binding.names,
      csr: binding.csr?.pem ?? null,
      validateType,
      contact,
      tags,
      state,
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
    if (state === "domain_verify" && validateType === "DNS") this.validateSameAccountZones(order);
    this.persist();
    return order;
  }

  /**
   * What CAS does for a zone in Alibaba Cloud DNS of the order's account (`sameAccountZones`): it
   * adds the record it names itself and deletes TXT records with other values at that name. A record
   * someone else manages there is removed when its value differs, and duplicated when it is the same.
   */
  private validateSameAccountZones(o: Order): void {
    const zones = this.lifecycle.sameAccountZones;
    for (const want of this.expectedRecords(o)) {
      if (!zones.some((z) => want.name === z || want.name.endsWith(`.${z}`))) continue;
      this.state.dnsRecords = this.state.dnsRecords.filter(
        (r) =>
          !(
            normalizeName(r.name) === want.name &&
            r.type.toUpperCase() === want.type &&
            (want.type === "CNAME" || r.value !== want.value)
          ),
      );
      this.state.dnsRecords.push({ ...want });
    }
  }

  /**
   * The order `orderId` names when it may be renewed: "You can call
   * RenewCertificateOrderForPackageRequest … only when the order of the certificate is in the
   * expiring state. After the renewal is complete, a new certificate order whose status is pending
   * application is generated." The new order ({@link placeOrder} in state `payed`) uses one unit of
   * the plan (UNCONFIRMED).
   */
  async renewable(orderId: string, accessKeyId: string): Promise<Order> {
    const action = "RenewCertificateOrderForPackageRequest";
    const o = await this.order(orderId, accessKeyId);
    if (o.state !== "certificate") throw stateError(o.state, action);
    // The renewal docs: renewal is "not for free or test certificates" (UNCONFIRMED error code).
    if (PRODUCTS[o.productCode]?.free)
      throw stateError(
        "certificate (free)",
        action,
        `${o.productCode} is a free certificate, which is not renewed; order a new certificate instead`,
      );
    const left = (o.notAfter ?? 0) - this.now();
    if (left <= 0 || left > this.lifecycle.expiringDays * DAY)
      throw stateError(
        left <= 0 ? "certificate (expired)" : "certificate (not expiring)",
        action,
        `renewal is allowed only within ${this.lifecycle.expiringDays} days before the certificate expires`,
      );
    return o;
  }

  // ---- reading --------------------------------------------------------------------------

  /** `DescribeCertificateState`'s answer for an order. */
  describe(o: Order): Answer {
    switch (o.state) {
      case "domain_verify": {
        const base = { Type: o.state, ValidateType: o.validateType };
        if (o.validateType === "FILE")
          // Domain: "the domain name to be verified"; Uri: "contains the file path and file name";
          // Content: what the file must contain.
          return {
            ...base,
            Domain: validatedName(o.domains[0]!, this.lifecycle.wwwParent),
            Uri: FILE_VALIDATION_PATH,
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
          // "Returned when the certificate is issued" (PyPI SDK 3.9.4, a string there; Go SDK
          // v4.0.1, 2025-07); `omitCertId` answers as before.
          ...(o.certId ? { CertId: o.certId } : {}),
        };
      case "payed":
      case "process":
      case "verify_fail":
      case "revoked":
        return { Type: o.state };
    }
  }

  /** The expected validation record of one ordered name, as CAS would state it. */
  recordDomain(domain: string): string {
    return recordDomain(domain, this.recordRules());
  }

  private recordRules(): RecordRules {
    const lc = this.lifecycle;
    return { style: lc.recordDomainStyle, zones: lc.zones, wwwParent: lc.wwwParent };
  }

  // ---- life cycle -----------------------------------------------------------------------

  /** Applies the transitions that are due by time or by published DNS records; `payed` orders never move on their own. */
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

  /** Expected DNS records of an order: the one CAS names, and one per name in another zone (see records.ts). */
  expectedRecords(o: Order): Array<{ name: string; type: string; value: string }> {
    return expectedRecordNames(o.domains, this.recordRules()).map((n) => ({
      name: n,
      type: this.lifecycle.recordType,
      value: o.recordValue,
    }));
  }

  private recordsPublished(o: Order): boolean {
    return this.expectedRecords(o).every((want) =>
      this.state.dnsRecords.some(
        (r) =>
          normalizeName(r.name) === want.name && r.type.toUpperCase() === want.type && r.value === want.value,
      ),
    );
  }

  private move(o: Order, state: OrderState, since = this.now(), reason: string | null = null): void {
    o.state = state;
    o.stateSince = since;
    o.statusReason = reason;
    this.persist();
  }

  /**
   * Issues a real certificate for the bound names, signed by the emulator CA. Requests that find
   * the same order due while it is being issued wait for that one issuance (the key generation and
   * signing yield to other requests), so an order gets exactly one certificate.
   */
  issue(o: Order): Promise<void> {
    let pending = this.issuing.get(o);
    if (!pending) {
      pending = this.issueOnce(o).finally(() => this.issuing.delete(o));
      this.issuing.set(o, pending);
    }
    return pending;
  }

  private async issueOnce(o: Order): Promise<void> {
    const from = o.state;
    let spki: ArrayBuffer;
    let privateKeyPem: string | null = null;
    if (o.csr) {
      spki = csrPublicKey(o.csr);
    } else {
      const key = await generateOrderKey();
      privateKeyPem = key.privateKeyPem;
      spki = key.publicKeySpki;
    }
    const issuedAt = this.now();
    const leaf = await this.ca.issue(
      spki,
      o.domains,
      new Date(issuedAt - 60_000),
      this.lifecycle.certificateDays,
    );
    // Cancelled or failed by another request meanwhile: that answer stands.
    if (o.state !== from) return;
    if (privateKeyPem !== null) o.privateKeyPem = privateKeyPem;
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
    const o = own(this.state.orders, orderId);
    if (!o) throw notFoundOrder();
    await this.advance(o);
    if (op === "approve") {
      if (o.state !== "domain_verify") throw stateError(o.state, "approve");
      this.move(o, "process");
    } else if (op === "fail") {
      if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, "fail");
      this.move(o, "verify_fail", this.now(), reason ?? REVIEW_FAILED);
    } else if (op === "issue") {
      if (o.state !== "domain_verify" && o.state !== "process") throw stateError(o.state, "issue");
      await this.issue(o);
    } else {
      if (o.state !== "certificate") throw stateError(o.state, "expire");
      // The certificate is signed again ending a second ago (X.509 times are whole seconds), so
      // what a client reads from the PEM says expired too, not only the order's recorded end.
      if (o.certificatePem) {
        const end = certificateFacts(splitPem(o.certificatePem)[0]!).notAfter;
        await this.resign(o, Math.max(0, end - (Math.floor(this.now() / 1000) * 1000 - 1000)));
      }
      o.notAfter = Math.min(o.notAfter ?? this.now() - 1, this.now() - 1);
      this.persist();
    }
    return o;
  }

  /**
   * Control API: moves an issued order `days` into the past, as if it had been issued that long ago.
   * The leaf is signed again with the same key, names, serial and length of validity, starting
   * `days` earlier; the times the order keeps (created, issued, expiry) move with it. CAS has no
   * such action: it stands in for waiting, so renewal can be tested with realistic validities.
   */
  async age(orderId: string, days: number): Promise<Order> {
    const o = own(this.state.orders, orderId);
    if (!o) throw notFoundOrder();
    await this.advance(o);
    if (o.state !== "certificate" || !o.certificatePem) throw stateError(o.state, "age");
    await this.resign(o, days * DAY);
    this.persist();
    return o;
  }

  /** Signs an issued order's leaf again `shift` ms earlier (same key, names, serial, validity) and moves its times with it. */
  private async resign(o: Order, shift: number): Promise<void> {
    const [leaf, ...chain] = splitPem(o.certificatePem!);
    const facts = certificateFacts(leaf!);
    const aged = await this.ca.issue(
      certificatePublicKey(leaf!),
      o.domains,
      new Date(facts.notBefore - shift),
      (facts.notAfter - facts.notBefore) / DAY,
      facts.serialNo,
    );
    o.certificatePem = aged + chain.join("");
    o.createdAt -= shift;
    o.stateSince -= shift;
    if (o.issuedAt !== null) o.issuedAt -= shift;
    if (o.notAfter !== null) o.notAfter -= shift;
  }

  // ---- control-API writes (the model is the only writer of state) ------------------------

  /** Every order, after applying due transitions (copies). */
  async allOrders(): Promise<Order[]> {
    for (const o of Object.values(this.state.orders)) await this.advance(o);
    return Object.values(this.state.orders).map((o) => ({ ...o }));
  }

  /** Sets the size of one account's plan; refuses unknown accounts and undocumented codes. */
  setPlan(accessKeyId: string, productCode: string, total: number): void {
    if (!this.state.accounts.some((a) => a.accessKeyId === accessKeyId))
      throw new ApiFault(
        "BadRequest",
        400,
        `accessKeyId ${JSON.stringify(accessKeyId)} is not an account of this emulator`,
      );
    if (!isProductCode(productCode))
      throw new ApiFault(
        "BadRequest",
        400,
        `productCode ${JSON.stringify(productCode)} is not a documented product code`,
      );
    if (!Number.isInteger(total) || total < 0)
      throw new ApiFault("BadRequest", 400, "total takes a whole number ≥ 0");
    const plans = this.plans(accessKeyId);
    const plan = own(plans, productCode) ?? (plans[productCode] = { total: 0, used: 0, issued: 0 });
    plan.total = total;
    this.persist();
  }

  /** A copy of one plan (zeros when there is none). */
  planOf(accessKeyId: string, productCode: string): Plan {
    const plans = own(this.state.plans, accessKeyId);
    return { ...((plans && own(plans, productCode)) ?? { total: 0, used: 0, issued: 0 }) };
  }

  /** Records what a DNS record resource would publish. */
  publishDnsRecord(record: { name: string; type: string; value: string }): void {
    this.state.dnsRecords.push({ name: record.name, type: record.type, value: record.value });
    this.persist();
  }

  /** Every published DNS record (copies), in the order they were published. */
  dnsRecords(): Array<{ name: string; type: string; value: string }> {
    return this.state.dnsRecords.map((r) => ({ ...r }));
  }

  /** The records an order expects. */
  expectedRecordsOf(orderId: string): Array<{ name: string; type: string; value: string }> {
    const o = own(this.state.orders, orderId);
    if (!o) throw notFoundOrder();
    return this.expectedRecords(o);
  }

  /** The emulator CA's root certificate (PEM). */
  caCertificate(): string {
    return this.ca.material.certificatePem;
  }

  /** Drops every order and record and refills every account's plans. */
  reset(planSize: number): void {
    this.state.orders = Object.create(null) as EmulatorState["orders"];
    this.state.dnsRecords = [];
    this.state.plans = Object.create(null) as EmulatorState["plans"];
    for (const a of this.state.accounts)
      if (principalKeyOf(this.state, a.accessKeyId) === a.accessKeyId)
        this.state.plans[a.accessKeyId] = fullPlans(planSize);
    this.persist();
  }

  private plans(accessKeyId: string): Record<string, Plan> {
    let plans = own(this.state.plans, accessKeyId);
    if (!plans) {
      plans = Object.create(null) as Record<string, Plan>;
      this.state.plans[accessKeyId] = plans;
    }
    return plans;
  }

  private plan(o: Order): Plan {
    const plans = this.plans(o.accessKeyId);
    return own(plans, o.productCode) ?? (plans[o.productCode] = { total: 0, used: 0, issued: 0 });
  }

  /** The caller's order `orderId`, brought up to date; NotFound for another account's or a revoked one. */
  async order(orderId: string, accessKeyId: string): Promise<Order> {
    const o = own(this.state.orders, orderId);
    if (!o || o.accessKeyId !== accessKeyId || o.state === "revoked") throw notFoundOrder();
    await this.advance(o);
    return o;
  }
}

/** A plan of `size` orders for every documented product code (a prototype-free map). */
export function fullPlans(size: number): Record<string, Plan> {
  const plans = Object.create(null) as Record<string, Plan>;
  for (const code of Object.keys(PRODUCTS)) plans[code] = { total: size, used: 0, issued: 0 };
  return plans;
}
