import type { EmulatorCore } from "./core";
import type { FaultRule } from "./faults";
import type { StsLogEntry } from "./identity";
import type { NewInstance } from "./instances";
import type { CasModel } from "./model";
import type { QpsSetting } from "./options";
import type { RequestLogEntry } from "./request-log";
import type { Instance, Order, Plan } from "./state";
import type { LifecycleInput } from "./timing";

/**
 * The emulator's control handle: the same operations as the HTTP control API under `/_emulator/`.
 * It changes the emulator only through the core's and the models' methods.
 */
export class EmulatorControl {
  private readonly model: CasModel;
  /** @internal */
  constructor(private readonly emulator: EmulatorCore) {
    this.model = emulator.model;
  }
  /** Every order, after applying due transitions. */
  orders(): Promise<Order[]> {
    return this.model.allOrders();
  }
  approve(orderId: string) {
    return this.model.control(orderId, "approve");
  }
  fail(orderId: string, reason?: string) {
    return this.model.control(orderId, "fail", reason);
  }
  issue(orderId: string) {
    return this.model.control(orderId, "issue");
  }
  expire(orderId: string) {
    return this.model.control(orderId, "expire");
  }
  /** Moves an issued order `days` into the past: its certificate is signed again, starting that much earlier. */
  age(orderId: string, days: number) {
    return this.model.age(orderId, days);
  }
  /** Sets a plan's size (creates the plan); the key must be one of the emulator's accounts, the code a documented one. */
  setQuota(productCode: string, total: number, accessKeyId = this.emulator.defaultKey): void {
    this.model.setPlan(accessKeyId, productCode, total);
  }
  /** A plan's counts (zeros when there is none). */
  plan(productCode: string, accessKeyId = this.emulator.defaultKey): Plan {
    return this.model.planOf(accessKeyId, productCode);
  }
  /** What a DNS record resource would publish; in `dns` validation mode, orders wait for these. */
  publishDnsRecord(record: { name: string; type: string; value: string }): void {
    this.model.publishDnsRecord(record);
  }
  /** Every published DNS record: those published through this API and those CAS added in `sameAccountZones`. */
  dnsRecords() {
    return this.model.dnsRecords();
  }
  /** The records an order expects (name, type, value). */
  expectedRecords(orderId: string) {
    return this.model.expectedRecordsOf(orderId);
  }
  /** Every certificate instance, after applying due transitions. */
  instances(): Promise<Instance[]> {
    return this.emulator.instances.all();
  }
  /** Adds an inactive instance (a bought BUY one of a brand/type/spec, or another TEST one) to an account. */
  addInstance(spec: NewInstance, accessKeyId = this.emulator.defaultKey): Instance {
    if (!this.emulator.hasKey(accessKeyId))
      throw new Error(`accessKeyId ${JSON.stringify(accessKeyId)} is not an account of this emulator`);
    return structuredClone(this.emulator.instances.add(accessKeyId, spec));
  }
  /** Issues a pending application (`manual` validation). */
  issueInstance(instanceId: string): Promise<Instance> {
    return this.emulator.instances.control(instanceId, "issue");
  }
  /** Fails a pending application: the instance is `closed` (dnsmgr reads closed as failure). */
  failInstance(instanceId: string, reason?: string): Promise<Instance> {
    return this.emulator.instances.control(instanceId, "fail", reason);
  }
  /** Reissues an issued instance's certificate now (what CAS does under `AutoReissue` before expiry): a new id and key. */
  reissueInstance(instanceId: string): Promise<Instance> {
    return this.emulator.instances.control(instanceId, "reissue");
  }
  /** Ends an instance's certificate now. */
  expireInstance(instanceId: string): Promise<Instance> {
    return this.emulator.instances.control(instanceId, "expire");
  }
  /** The DNS records an applied instance waits for in `dns` mode. */
  expectedInstanceRecords(instanceId: string) {
    return this.emulator.instances.expectedRecords(instanceId);
  }
  setFaults(rules: FaultRule[]): void {
    this.emulator.setFaults(rules);
  }
  /** Changes life-cycle settings; throws naming the field when the patch is not valid. */
  setLifecycle(patch: LifecycleInput): void {
    this.emulator.setLifecycle(patch);
  }
  setQps(qps: QpsSetting): void {
    this.emulator.setQps(qps);
  }
  /**
   * The STS tokens an account accepts from now on (a rotation: tokens left out answer
   * `InvalidSecurityToken.Expired`); the key must be one of the emulator's accounts.
   */
  setSecurityTokens(tokens: string[], accessKeyId = this.emulator.defaultKey): void {
    this.emulator.setSecurityTokens(tokens, accessKeyId);
  }
  /**
   * The lifetime cap of credentials the emulator's STS issues from now on (seconds; `undefined`:
   * as `DurationSeconds` asked). Credentials already issued keep their expiry.
   */
  setStsLifetime(seconds: number | undefined): void {
    this.emulator.sts.lifetimeSeconds = seconds;
  }
  /** Ends every STS session now: their keys answer `InvalidSecurityToken.Expired`; returns how many. */
  expireStsSessions(): number {
    return this.emulator.sts.expireAll();
  }
  /**
   * Adds an access key: to the account `accountId` names when the emulator has it (another key of
   * that account: same orders, plans and instances), else to a new account (given or generated id)
   * with full plans and its pool of TEST instances. Id and secret are generated when absent.
   */
  addAccessKey(
    spec: {
      accountId?: string | undefined;
      accessKeyId?: string | undefined;
      accessKeySecret?: string | undefined;
      securityTokens?: string[] | undefined;
    } = {},
  ): { accountId: string; accessKeyId: string; accessKeySecret: string } {
    return this.emulator.addAccessKey(spec);
  }
  /** Every access key with its account (no secrets or tokens). */
  accessKeys(): Array<{ accountId: string; accessKeyId: string }> {
    return this.emulator.accessKeys();
  }
  /** The STS requests served (GetCallerIdentity), oldest first. */
  stsRequests(): StsLogEntry[] {
    return [...this.emulator.log.stsEntries];
  }
  /** The emulator CA's root certificate (PEM). */
  caCertificate(): string {
    return this.model.caCertificate();
  }
  requests(): RequestLogEntry[] {
    return [...this.emulator.log.entries];
  }
  clearRequests(): void {
    this.emulator.log.clear();
  }
  /** Drops every order, record, fault and STS session and refills the plans. */
  reset(): void {
    this.emulator.reset();
  }
}
