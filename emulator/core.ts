import { randomBytes } from "node:crypto";
import { NonceCache, type AccountLookup } from "./auth";
import type { EmulatorCa } from "./ca";
import { faultApplies, type FaultRule } from "./faults";
import { InstanceModel } from "./instances";
import { CasModel, fullPlans } from "./model";
import type { ModelContext } from "./model-base";
import type { EmulatorOptions, QpsSetting } from "./options";
import { RequestLog } from "./request-log";
import { CasResponses } from "./responses";
import { SeededRandom } from "./rng";
import { newAccountId, type EmulatorState, type StateStore } from "./state";
import { StsService } from "./sts";
import { Throttle } from "./throttle";
import { DEFAULT_LIFECYCLE, parseLifecyclePatch, type LifecycleInput } from "./timing";

/** Documented per-action limits (requests per second per key). */
const DOCUMENTED_QPS: Record<string, number> = {
  CancelCertificateForPackageRequest: 10,
  CancelOrderRequest: 100,
  ListUserCertificateOrder: 10,
  GetUserCertificateDetail: 100,
};
/** Inactive TEST instances each account starts with (a real account gets them by the console's free "purchase"). */
export const DEFAULT_TEST_INSTANCES = 20;

/**
 * One running emulator's typed side: the plan-order model, the instance model and STS (the only
 * writers of state, with the account operations below), plus what the HTTP side consults per request
 * (faults, throttling, nonces, the request log). It knows nothing of HTTP or of the control API,
 * which change it only through its methods.
 */
export class EmulatorCore {
  private faults: FaultRule[];
  /** The request logs. */
  readonly log = new RequestLog();
  private buckets = new Map<string, Throttle>();
  private qps: QpsSetting;
  readonly nonces: NonceCache;
  readonly rng: SeededRandom;
  readonly model: CasModel;
  readonly instances: InstanceModel;
  /** The CAS actions, wire to typed calls on the models. */
  private readonly responses: CasResponses;
  /** The STS actions and the temporary keys they issued. */
  readonly sts: StsService;

  constructor(
    readonly opts: EmulatorOptions,
    readonly state: EmulatorState,
    readonly ca: EmulatorCa,
    private readonly store: StateStore,
    readonly now: () => number,
  ) {
    this.faults = [...(opts.faults ?? [])];
    this.qps = opts.qps;
    this.rng = new SeededRandom(opts.seed ?? 1);
    this.nonces = new NonceCache(now);
    const models: ModelContext = {
      state,
      ca,
      lifecycle: { ...DEFAULT_LIFECYCLE, ...parseLifecyclePatch(opts.lifecycle) },
      rng: this.rng,
      now,
      persist: () => this.save(),
    };
    this.model = new CasModel(models);
    this.instances = new InstanceModel(models);
    this.responses = new CasResponses(this.model, this.instances);
    this.sts = new StsService(opts.sts ?? {}, state, now);
  }

  /** An access key of an account, or temporary keys from the emulator's STS (refused once expired). */
  readonly findAccount: AccountLookup = (id, token) =>
    this.state.accounts.find((a) => a.accessKeyId === id) ?? this.sts.temporaryAccount(id, token);

  get defaultKey(): string {
    return this.state.accounts[0]!.accessKeyId;
  }

  /** Runs one API action for the caller's access key (see responses.ts). */
  handle(action: string, params: Readonly<Record<string, string>>, accessKeyId: string) {
    return this.responses.handle(action, params, accessKeyId);
  }

  /** What a new account starts with: full plans and its pool of TEST instances (`accessKeyId`: its first key). */
  openAccount(accessKeyId: string): void {
    this.state.plans[accessKeyId] = fullPlans(this.opts.planSize ?? 100);
    this.instances.fillPool(accessKeyId, this.opts.testInstances ?? DEFAULT_TEST_INSTANCES);
  }

  save(): void {
    this.store.save(this.state);
  }

  /** The account's id of the emulator's first (default) key. */
  get defaultAccountId(): string {
    return this.state.accounts[0]!.accountId;
  }

  setQps(qps: QpsSetting): void {
    this.qps = qps;
    this.buckets.clear();
  }

  /** Replaces the fault rules (copies: a rule's `limit` counts down here, not in the caller's object). */
  setFaults(rules: readonly FaultRule[]): void {
    this.faults = rules.map((r) => ({ ...r }));
  }

  /** Changes life-cycle settings; throws naming the field when the patch is not valid. */
  setLifecycle(patch: LifecycleInput): void {
    Object.assign(this.model.lifecycle, parseLifecyclePatch(patch));
  }

  /** Whether `accessKeyId` is a key of one of the emulator's accounts. */
  hasKey(accessKeyId: string): boolean {
    return this.state.accounts.some((a) => a.accessKeyId === accessKeyId);
  }

  /** The STS tokens a key accepts from now on; throws when the key is not one of the emulator's. */
  setSecurityTokens(tokens: readonly string[], accessKeyId: string): void {
    const account = this.state.accounts.find((a) => a.accessKeyId === accessKeyId);
    if (!account)
      throw new Error(`setSecurityTokens: ${accessKeyId} is not one of the emulator's access keys`);
    account.securityTokens = [...tokens];
    this.save();
  }

  /**
   * Adds an access key: to the account `accountId` names when the emulator has it, else to a new
   * account (given or generated id) with full plans and its pool of TEST instances.
   */
  addAccessKey(spec: {
    accountId?: string | undefined;
    accessKeyId?: string | undefined;
    accessKeySecret?: string | undefined;
    securityTokens?: string[] | undefined;
  }): { accountId: string; accessKeyId: string; accessKeySecret: string } {
    const state = this.state;
    if (spec.accountId !== undefined && !/^\d{16}$/.test(spec.accountId))
      throw new Error(`accountId ${JSON.stringify(spec.accountId)} is not an account id: give 16 digits`);
    const accessKeyId = spec.accessKeyId ?? `LTAI${randomBytes(10).toString("hex")}`;
    if (this.hasKey(accessKeyId))
      throw new Error(`access key ${accessKeyId} exists already in this emulator`);
    const existing =
      spec.accountId !== undefined && state.accounts.some((a) => a.accountId === spec.accountId);
    const key = {
      accountId: spec.accountId ?? newAccountId(),
      accessKeyId,
      accessKeySecret: spec.accessKeySecret ?? randomBytes(15).toString("base64url"),
      securityTokens: [...(spec.securityTokens ?? [])],
    };
    state.accounts.push(key);
    if (!existing) this.openAccount(accessKeyId);
    this.save();
    return { accountId: key.accountId, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
  }

  /** Every access key with its account (no secrets or tokens). */
  accessKeys(): Array<{ accountId: string; accessKeyId: string }> {
    return this.state.accounts.map((a) => ({ accountId: a.accountId, accessKeyId: a.accessKeyId }));
  }

  /** Drops every order, record, fault, log line and STS session and refills the plans and pools. */
  reset(): void {
    this.model.reset(this.opts.planSize ?? 100);
    this.instances.reset(this.opts.testInstances ?? DEFAULT_TEST_INSTANCES);
    this.faults = [];
    this.log.clear();
    this.sts.clear();
  }

  private limitFor(action: string): number | undefined {
    if (typeof this.qps === "number") return this.qps;
    const configured = this.qps?.[action];
    if (typeof configured === "number") return configured;
    return Object.prototype.hasOwnProperty.call(DOCUMENTED_QPS, action) ? DOCUMENTED_QPS[action] : undefined;
  }

  /**
   * When this request is over the per-account, per-action limit (`accessKeyId`: the account's
   * first key): the milliseconds until the account has a token for the action again (sent as `x-acs-retry-after`); `undefined` when it may proceed.
   */
  throttled(accessKeyId: string, action: string): number | undefined {
    const limit = this.limitFor(action);
    if (!limit) return undefined;
    const key = `${accessKeyId}|${action}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Throttle(limit, Math.max(1, Math.floor(limit)), this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take() ? undefined : bucket.msUntilToken();
  }

  /** The fault that applies to this request, if any (decided by the seeded generator). */
  pickFault(action: string): FaultRule | undefined {
    for (const rule of this.faults) {
      if (rule.action !== "*" && rule.action !== action) continue;
      if (!faultApplies(rule.kind, action)) continue;
      if (rule.limit !== undefined && rule.limit <= 0) continue;
      if (this.rng.next() < rule.rate) {
        if (rule.limit !== undefined) rule.limit -= 1;
        return rule;
      }
    }
    return undefined;
  }
}
