import { NonceCache, type AccountLookup } from "./auth";
import type { EmulatorCa } from "./ca";
import { EmulatorControl } from "./control";
import type { ControlContext, ControlGuard } from "./control-http";
import { API_VERSION } from "./products";
import type { StsLogEntry } from "./identity";
import { faultApplies, type FaultRule } from "./faults";
import { DEFAULT_LIFECYCLE, parseLifecyclePatch } from "./lifecycle";
import { INSTANCE_ACTIONS, InstanceModel } from "./instances";
import { CasModel, fullPlans } from "./model";
import { SeededRandom } from "./rng";
import type { EmulatorOptions, RequestLogEntry } from "./server";
import type { EmulatorState, StateStore } from "./state";
import { StsService } from "./sts";
import { Throttle } from "./throttle";

/** Documented per-action limits (requests per second per key). */
const DOCUMENTED_QPS: Record<string, number> = {
  CancelCertificateForPackageRequest: 10,
  CancelOrderRequest: 100,
  ListUserCertificateOrder: 10,
  GetUserCertificateDetail: 100,
};
/** Inactive TEST instances each account starts with (a real account gets them by the console's free "purchase"). */
export const DEFAULT_TEST_INSTANCES = 20;

/** Everything one running emulator holds besides the model: faults, throttling, the request log. */
export class EmulatorCore {
  faults: FaultRule[];
  readonly log: RequestLogEntry[] = [];
  /** GetCallerIdentity requests, apart from the CAS log (AssumeRole* are in it). */
  readonly stsLog: StsLogEntry[] = [];
  private buckets = new Map<string, Throttle>();
  private qps: EmulatorOptions["qps"];
  readonly nonces: NonceCache;
  readonly rng: SeededRandom;
  readonly model: CasModel;
  readonly instances: InstanceModel;
  readonly control: EmulatorControl;
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
    this.model = new CasModel(
      state,
      ca,
      { ...DEFAULT_LIFECYCLE, ...parseLifecyclePatch(opts.lifecycle) },
      this.rng,
      now,
      () => this.save(),
    );
    this.instances = new InstanceModel(state, ca, this.model.lifecycle, this.rng, now, () => this.save());
    this.control = new EmulatorControl(this.model, this);
    this.sts = new StsService(opts.sts ?? {}, state, now);
  }

  /** An access key of an account, or temporary keys from the emulator's STS (refused once expired). */
  readonly findAccount: AccountLookup = (id, token) =>
    this.state.accounts.find((a) => a.accessKeyId === id) ?? this.sts.temporaryAccount(id, token);

  /** Who may use the control API. */
  get guard(): ControlGuard {
    const bound = (this.opts.host ?? "127.0.0.1").toLowerCase();
    return {
      allowedHosts: [
        bound,
        bound.includes(":") ? `[${bound}]` : bound,
        ...(this.opts.allowedHosts ?? []),
      ].map((h) => h.toLowerCase()),
      token: this.opts.controlToken,
    };
  }

  /** What the control routes need. */
  controlContext(): ControlContext {
    return {
      control: this.control,
      defaultKey: this.defaultKey,
      info: () => ({
        version: API_VERSION,
        accessKeyId: this.defaultKey,
        accountId: this.state.accounts[0]!.accountId,
        lifecycle: this.model.lifecycle,
      }),
    };
  }

  get defaultKey(): string {
    return this.state.accounts[0]!.accessKeyId;
  }

  /** Runs one API action for the caller's access key: the instance family or the plan model. */
  async handle(action: string, params: Readonly<Record<string, string>>, accessKeyId: string) {
    if (INSTANCE_ACTIONS.has(action)) return this.instances.handle(action, params, accessKeyId);
    if (action === "GetUserCertificateDetail" && params.CertId) {
      const answer = await this.instances.certificateDetail(params, accessKeyId);
      if (answer) return answer;
    }
    return this.model.handle(action, params, accessKeyId);
  }

  /** What a new account starts with: full plans and its pool of TEST instances (`accessKeyId`: its first key). */
  openAccount(accessKeyId: string): void {
    this.state.plans[accessKeyId] = fullPlans(this.opts.planSize ?? 100);
    this.instances.fillPool(accessKeyId, this.opts.testInstances ?? DEFAULT_TEST_INSTANCES);
  }

  save(): void {
    this.store.save(this.state);
  }

  setQps(qps: EmulatorOptions["qps"]): void {
    this.qps = qps;
    this.buckets.clear();
  }

  reset(): void {
    this.model.reset(this.opts.planSize ?? 100);
    this.instances.reset(this.opts.testInstances ?? DEFAULT_TEST_INSTANCES);
    this.faults = [];
    this.log.length = 0;
    this.sts.clear();
    this.stsLog.length = 0;
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

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
  }
}
