import type { CallOptions } from "../cas/client";
import type { RequestOf, ResponseOf } from "../cas/actions";
import type { Clock } from "../../runtime/clock";
import { currentDeadline, type Deadline } from "../cas/deadline";
import { CasApiError, CasError, CasOutcomeUnknownError, describeCause } from "../cas/errors";
import type { OrderInputs } from "./inputs";
import {
  CLOCK_SKEW_MS,
  findCandidates,
  namesKey,
  OwnershipUnprovenError,
  type Claims,
  ownershipUnproven,
  type Candidate,
  type LostAnswerPolicy,
  type Ownership,
} from "./ownership";

/** The actions that place an order. */
export type CreateAction =
  "CreateCertificateRequest" | "CreateCertificateWithCsrRequest" | "CreateCertificateForPackageRequest";

/** One create, ready to send: the action, its API parameters, and what it orders. */
export type OrderRequest = {
  [A in CreateAction]: { action: A; params: RequestOf<A>; productCode: string; names: string[] };
}[CreateAction];

/** The calls the placer makes: a `CasClient`, or an in-process fake in unit tests. */
export interface PlacerApi {
  call<A extends CreateAction | "ListUserCertificateOrder">(
    action: A,
    params: RequestOf<A>,
    options?: CallOptions,
  ): Promise<ResponseOf<A>>;
}

/** Tries of one look-up after a lost answer (each try is one client call, with the client's own retries). */
const LOOKUP_ATTEMPTS = 4;
/** Wait before look-up try n + 1 (n ≥ 1): `LOOKUP_BACKOFF_MS · 2^n`, so 1 s, 2 s, 4 s. */
const LOOKUP_BACKOFF_MS = 500;
/**
 * How long a lost create may still be in flight before a look-up that finds nothing is believed
 * (UNCONFIRMED for CAS: no document says how long it may process a request whose connection is
 * gone). Stack config {@link GRACE_KEY} changes it.
 */
export const RECONCILE_GRACE_MS = 3_000;
/** Stack config key of the grace, in ms. */
export const GRACE_KEY = "alicloud-cas:lostAnswerGraceMs";
/**
 * How long after an unanswered create a later operation still waits for CAS to list its order
 * before it believes none was placed and orders (UNCONFIRMED for CAS, like the grace: how late a
 * listing may show an order is not documented). Stack config {@link WINDOW_KEY} changes it.
 */
export const LOST_ANSWER_WINDOW_MS = 60_000;
/** Stack config key of the window, in seconds. */
export const WINDOW_KEY = "alicloud-cas:lostAnswerWindowSeconds";
/**
 * The placer's policy: how the look-ups after a lost answer are repeated, and how long a lost
 * answer's order may take to be listed. A create is sent once per placement: the client's retry
 * strategy alone repeats what provably was not processed (throttling, requests never sent).
 */
export interface PlacerPolicy {
  lookupAttempts: number;
  lookupBackoffMs: number;
  /** See {@link RECONCILE_GRACE_MS}. */
  graceMs: number;
  /** See {@link LOST_ANSWER_WINDOW_MS}. */
  windowMs: number;
}

const DEFAULT_PLACER_POLICY: PlacerPolicy = {
  lookupAttempts: LOOKUP_ATTEMPTS,
  lookupBackoffMs: LOOKUP_BACKOFF_MS,
  graceMs: RECONCILE_GRACE_MS,
  windowMs: LOST_ANSWER_WINDOW_MS,
};

export interface PlacerOptions {
  /** The client to call (asked at each placement: it is built from the configuration). */
  api: () => PlacerApi;
  clock: Clock;
  /** Where progress lines go. */
  log: (line: string) => void;
  /** A fresh operation deadline (`alicloud-cas:operationTimeoutSeconds` from now, on `clock`). */
  newDeadline: () => Deadline;
  /** `alicloud-cas:adoptAfterLostAnswer`, read at each lost answer. */
  adoptAfterLostAnswer: () => LostAnswerPolicy;
  policy?: Partial<PlacerPolicy>;
  /** What the resources of this process hold. */
  claims: Claims;
}

/** The policy as stack config sets it ({@link GRACE_KEY}, {@link WINDOW_KEY}); a bad value fails naming the key and the fix. */
export function configuredPolicy(setting: (key: string) => string | undefined): Partial<PlacerPolicy> {
  const policy: Partial<PlacerPolicy> = {};
  const grace = wholeNumber(setting, GRACE_KEY, "milliseconds", RECONCILE_GRACE_MS);
  if (grace !== undefined) policy.graceMs = grace;
  const window = wholeNumber(setting, WINDOW_KEY, "seconds", LOST_ANSWER_WINDOW_MS / 1000);
  if (window !== undefined) policy.windowMs = window * 1000;
  return policy;
}

function wholeNumber(
  setting: (key: string) => string | undefined,
  key: string,
  unit: string,
  fallback: number,
): number | undefined {
  const raw = setting(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < 0)
    throw new CasError(
      "InvalidConfig",
      `${key}: ${JSON.stringify(raw)} is not a whole number of ${unit} (0 or more); set it to e.g. ${fallback} (the default) or remove it`,
    );
  return n;
}

/** What a create's failure says about the order: it may exist (`unknown`), or the failure is final. */
type CreateOutcome = "unknown" | "refused";

/**
 * Whether an order may exist after a create failed: exactly when the client's retry strategy gave
 * the failure the kind `outcome-unknown` (no answer, a 2xx that does not parse, `SignatureNonceUsed`,
 * a transient server answer). Everything else, throttling the client gave up on included, is final.
 */
export function createOutcome(e: unknown): CreateOutcome {
  return e instanceof CasError && e.kind === "outcome-unknown" ? "unknown" : "refused";
}

/** Whether a lost answer was a timeout of this client's. */
function timedOut(e: unknown): boolean {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof CasError && cause.code === "Timeout";
}

/**
 * Whether CAS may still process the request after the look-ups: this client timed out, or a 5xx
 * came from something in front of CAS (no RequestId: a gateway or proxy that gave up waiting, as a
 * 502/504 does) while CAS may still be working on it. A reset or an answer from CAS itself is not.
 */
function mayLandLate(e: unknown): boolean {
  if (timedOut(e)) return true;
  const answer = e instanceof CasApiError ? e : (e as { cause?: unknown }).cause;
  return answer instanceof CasApiError && answer.requestId === null && answer.httpStatus >= 500;
}

/** Why a create's answer is unknown, from the error's typed cause, for a log line. */
function whyUnknown(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return describeCause(e instanceof CasOutcomeUnknownError && cause !== undefined ? cause : e);
}

/** What a create whose order may exist leaves for the next operation: when it was sent, and what was listed. */
export interface Unresolved {
  /** Local time the request was sent (ms). */
  sentAt: number;
  /** Orders listed for its names and product that no resource of this deployment holds. */
  candidates: string[];
}

const unresolvedErrors = new WeakMap<object, Unresolved>();

/** Marks `e` as the failure of a create whose order may exist (see {@link unresolvedCreate}). */
function unresolved<E extends Error>(e: E, sentAt: number): E {
  const candidates = e instanceof OwnershipUnprovenError ? e.candidates.map((c) => c.orderId) : [];
  unresolvedErrors.set(e, { sentAt, candidates });
  return e;
}

/**
 * When `e` is a create's failure after which an order may exist (no answer, candidates it cannot
 * take, a look-up that failed): when the request was sent and what was listed. The resource keeps
 * this in the stack so the next operation looks in that window before ordering again.
 */
export function unresolvedCreate(e: unknown): Unresolved | undefined {
  return typeof e === "object" && e !== null ? unresolvedErrors.get(e) : undefined;
}

/** The order a placement ended with, and how the resource holds it. */
export interface Placed {
  orderId: string;
  ownership: Ownership;
}

/**
 * Places orders exactly once. No CAS create action has an idempotency token and no list item
 * carries an owner, so when an answer is lost (or says an order may exist) the placer lists the
 * orders it could have placed: none → order again; candidates → stop with their ids, or, with the
 * `alicloud-cas:adoptAfterLostAnswer=unique` opt-in, take a single one as `reconciled`.
 *
 * One placer serves one configuration of the provider process: what it remembers (lost answers,
 * creates in flight) is about this process's resources and account only.
 */
export class OrderPlacer {
  private readonly policy: PlacerPolicy;
  private readonly claims: Claims;
  /** Orders (product|names) whose create lost its answer and found nothing, with when it was sent. */
  private readonly unresolved = new Map<string, number>();
  /** How many creates lost their answer, by product and names. */
  private readonly lostAnswers = new Map<string, number>();
  /** The create requests still awaiting an answer, by product and names. */
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();

  constructor(private readonly opts: PlacerOptions) {
    this.policy = { ...DEFAULT_PLACER_POLICY, ...opts.policy };
    this.claims = opts.claims;
  }

  /** How long after an unanswered create its order may still be listed ({@link LOST_ANSWER_WINDOW_MS}). */
  get windowMs(): number {
    return this.policy.windowMs;
  }

  /**
   * Sends `request` and returns the order it placed (`placed`), or after a lost answer the single
   * candidate taken under the opt-in (`reconciled`). Throws the candidate list when a lost answer
   * leaves orders it cannot prove are this resource's.
   */
  async place(request: OrderRequest): Promise<Placed> {
    const { action, productCode, names } = request;
    const key = `${productCode}|${namesKey(names)}`;
    const pending = this.inFlight.get(key) ?? new Set<Promise<unknown>>();
    this.inFlight.set(key, pending);
    const earlier = this.unresolved.get(key);
    if (earlier !== undefined) {
      // An earlier create in this process lost its answer and nothing was found then: look first now.
      const taken = await this.settleLostAnswer(action, productCode, names, earlier, key, pending).catch(
        (e: Error) => {
          throw unresolved(e, earlier);
        },
      );
      this.unresolved.delete(key);
      if (taken) return taken;
    }
    // The operation's deadline bounds the create (the client's retries included); look-ups get their own.
    const deadline = currentDeadline() ?? this.opts.newDeadline();
    const sentAt = this.opts.clock.now();
    // Claimed the moment the answer arrives, before anything else runs: a concurrent look-up in
    // this process must never see this order as a candidate.
    const claimedRequest = this.send(request, deadline).then((res) => {
      // A sibling whose answer was lost may have taken this order already (it was listed before
      // this answer came): it is that resource's now, and holding it twice would let one destroy
      // cancel the other's certificate.
      if (this.claims.isClaimed(res.OrderId))
        throw new CasError(
          "OrderTakenBySibling",
          `${action} for ${names.join(", ")} placed order ${res.OrderId}, but another resource of this deployment whose create lost its answer has already taken it; nothing is held twice. Run pulumi up again to order for this resource`,
        );
      this.claims.claim(res.OrderId);
      return res;
    });
    pending.add(claimedRequest);
    try {
      const res = await claimedRequest;
      return { orderId: res.OrderId, ownership: "placed" };
    } catch (e) {
      if (createOutcome(e) === "refused") throw e;
      this.opts.log(`${action} for ${names[0]}: no answer (${whyUnknown(e)}); looking for the order`);
      pending.delete(claimedRequest);
      this.lostAnswers.set(key, (this.lostAnswers.get(key) ?? 0) + 1);
      const taken = await this.settleLostAnswer(action, productCode, names, sentAt, key, pending).catch(
        (err: Error) => {
          throw unresolved(err, sentAt);
        },
      );
      if (taken) return taken;
      // Never a second create after a lost answer in one operation: CAS may still list the first
      // one late (a request in flight, a listing that lags). The next operation looks first.
      this.unresolved.set(key, sentAt);
      throw unresolved(
        new CasError(
          "OutcomeUnknown",
          `${action} for ${names.join(", ")} got ${timedOut(e) ? "no answer within the attempt timeout" : mayLandLate(e) ? `no answer from CAS itself (${whyUnknown(e)})` : `no answer (${whyUnknown(e)})`}, so CAS may have placed the order. ` +
            `ListUserCertificateOrder (product ${productCode}, these names, bought since ${new Date(sentAt - CLOCK_SKEW_MS).toISOString()}) ` +
            `listed no order that no resource of this deployment holds, right away and again after ${this.policy.graceMs / 1000} s. ` +
            "Nothing was adopted and no second order was placed." +
            (timedOut(e) ? " If timeouts recur, raise alicloud-cas:attemptTimeoutMs." : ""),
          { cause: e },
        ),
        sentAt,
      );
    } finally {
      pending.delete(claimedRequest);
    }
  }

  private send(request: OrderRequest, deadline: Deadline): Promise<{ OrderId: string }> {
    const api = this.opts.api();
    // Each branch narrows the action so the parameters are checked against it.
    switch (request.action) {
      case "CreateCertificateRequest":
        return api.call(request.action, request.params, { deadline });
      case "CreateCertificateWithCsrRequest":
        return api.call(request.action, request.params, { deadline });
      case "CreateCertificateForPackageRequest":
        return api.call(request.action, request.params, { deadline });
    }
  }

  /**
   * After a lost answer: looks (and, finding nothing, waits for a request still in flight and looks
   * again). No candidate → undefined (order again). Candidates → the error listing them, or with the
   * opt-in a single candidate taken as `reconciled`.
   */
  private async settleLostAnswer(
    action: string,
    productCode: string,
    names: string[],
    sentAt: number,
    key: string,
    pending: Set<Promise<unknown>>,
  ): Promise<Placed | undefined> {
    let found = await this.lookWhenSiblingsAnswered(productCode, names, sentAt, key, pending);
    if (found.length === 0) {
      await this.opts.clock.sleep(this.policy.graceMs);
      found = await this.lookWhenSiblingsAnswered(productCode, names, sentAt, key, pending);
    }
    if (found.length === 0) return undefined;
    const policy = this.opts.adoptAfterLostAnswer();
    // A single candidate is attributable only when no other create for these names in this process lost its answer too.
    if (found.length === 1 && policy === "unique" && (this.lostAnswers.get(key) ?? 0) <= 1) {
      const orderId = found[0]!.orderId;
      this.claims.claim(orderId);
      this.opts.log(
        `found order ${orderId} placed by the unanswered request; adopting it (alicloud-cas:adoptAfterLostAnswer=unique: destroy leaves it in CAS unless adoptOrderId confirms it)`,
      );
      return { orderId, ownership: "reconciled" };
    }
    throw ownershipUnproven(action, names, found, policy);
  }

  /**
   * Looks for the candidates once no other create of this process for the same names is awaiting its
   * answer: a sibling's order listed while its answer is still on its way must not be taken for this
   * resource's. Siblings may start during a look-up, so the set is read again after each one.
   */
  private async lookWhenSiblingsAnswered(
    productCode: string,
    names: string[],
    sentAt: number,
    key: string,
    pending: Set<Promise<unknown>>,
  ): Promise<Candidate[]> {
    for (;;) {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      const found = await this.reconcile(productCode, names, sentAt, key);
      if (pending.size === 0) return found.filter((c) => !this.claims.isClaimed(c.orderId));
    }
  }

  /**
   * Looks for the orders a lost answer may have placed, trying the look-up itself several times: if
   * the answer is unknown and the look-up fails too, ordering again could buy a second certificate.
   * A refusal that says it will not change (`retryable: false`) is not tried again.
   */
  private async reconcile(
    productCode: string,
    names: string[],
    sentAt: number,
    key: string,
  ): Promise<Candidate[]> {
    const { clock } = this.opts;
    // One deadline for the tries of this look-up, fresh: the create may have spent the operation's,
    // and a look-up that cannot run leaves a later `pulumi up` to order again.
    const deadline = this.opts.newDeadline();
    const api = this.opts.api();
    const list: PlacerApi = { call: (action, params) => api.call(action, params, { deadline }) };
    for (let attempt = 1; ; attempt++) {
      try {
        return await findCandidates(list, this.claims, productCode, names, sentAt, clock.now());
      } catch (e) {
        const delay = this.policy.lookupBackoffMs * 2 ** attempt;
        const final = (e as { retryable?: unknown }).retryable === false;
        if (final || attempt >= this.policy.lookupAttempts || clock.now() + delay >= deadline.at) {
          this.unresolved.set(key, sentAt);
          throw new CasError(
            "ReconcileFailed",
            `an order for ${names.join(", ")} may have been placed, and looking for it failed: ${(e as Error).message.replace(/\.$/, "")}. ` +
              "Check ListUserCertificateOrder (or the CAS console) and set adoptOrderId if it exists, then run pulumi up again.",
            { cause: e },
          );
        }
        await clock.sleep(delay);
      }
    }
  }
}

/** The create request for `inputs` (check() has required the contact for the two DV actions). */
export function orderRequest(inputs: OrderInputs, names: string[], action: CreateAction): OrderRequest {
  const tags = inputs.tags ? Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })) : undefined;
  const common = { ProductCode: inputs.productCode, ValidateType: inputs.validateType, Tags: tags };
  const dvContact = { Username: inputs.username!, Phone: inputs.phone!, Email: inputs.email! };
  const order = { productCode: inputs.productCode, names };
  switch (action) {
    case "CreateCertificateRequest":
      return { ...order, action, params: { ...common, ...dvContact, Domain: names[0]! } };
    case "CreateCertificateWithCsrRequest":
      return { ...order, action, params: { ...common, ...dvContact, Csr: inputs.csr! } };
    case "CreateCertificateForPackageRequest":
      return {
        ...order,
        action,
        params: {
          ...common,
          Username: inputs.username,
          Phone: inputs.phone,
          Email: inputs.email,
          CompanyName: inputs.companyName,
          ...(inputs.csr ? { Csr: inputs.csr } : { Domain: names.join(",") }),
        },
      };
  }
}
