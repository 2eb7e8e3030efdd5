import { currentAccount, placedElsewhere } from "./account";
import type { ResponseOf } from "../cas/actions";
import { systemClock } from "../../protocol/clock";
import { CasApiError, CasError } from "../cas/errors";
import { parseCsr } from "../pki/csr";
import {
  checkOrderInputs,
  chooseAction,
  INPUT_DEFAULTS,
  orderInputsSchema,
  type Failure,
  type OrderInputs,
} from "./inputs";
import { diffOrder } from "./diff";
import { refreshChanges, SCHEMA_VERSION, toOutputs, type OrderOutputs } from "./outputs";
import { checkQuota } from "./quota";
import { explainQuotaExhausted } from "./quota-exhausted";
import { log, setLogSink, type LogSink } from "./log";
import { client, operationDeadline, setConfig, setting } from "./settings";
import { parseProps } from "./parse-state";
import { ORDER_STATE, previewInputsSchema, storedInputsSchema } from "./state";
import { leftInCas, noteUnknownOwnership, ownershipOf, resetOwnershipNotes } from "./held-by";
import { EXPIRED, isExpired, phaseOf, UNREAD_TYPE } from "./lifecycle";
import {
  claim,
  recordTakenByCreate,
  wasTakenByCreate,
  lostAnswerPolicy,
  resetClaims,
  verifyAdoption,
} from "./ownership";
import { configuredPolicy, OrderPlacer, orderRequest } from "./placer";

type Props = Record<string, unknown>;
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
  /**
   * Where log lines go when the provider runs in the caller's process; stderr (the Pulumi CLI's
   * diagnostics) when absent, as in Pulumi's provider host, which passes only `config`.
   */
  log?: LogSink;
}

/** The order placer of the current configuration: what it remembers is about one account. */
let placer = newPlacer();

function newPlacer(): OrderPlacer {
  return new OrderPlacer({
    api: client,
    clock: systemClock,
    log,
    newDeadline: operationDeadline,
    adoptAfterLostAnswer: lostAnswerPolicy,
    policy: configuredPolicy(setting),
  });
}

/**
 * A failure about an input the user did not set says the value is the default: the engine renders a
 * defaulted input as `value {<nil>}` (or not at all), which alone reads as if the user passed nothing.
 */
function namingDefault(f: Failure, news: Props, inputs: Props): Failure {
  const value = inputs[f.property];
  if (news[f.property] !== undefined || (typeof value !== "string" && typeof value !== "number")) return f;
  return { ...f, reason: `${f.property} (default ${String(value)}): ${f.reason}` };
}

/**
 * The `CertificateOrder` provider: the object `pulumi.dynamic.Resource` talks to (through a tiny
 * stub that loads this module by package name in the provider process).
 */
export const certificateOrderProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    setConfig((key) => req.config.get(key));
    setLogSink(req.log);
    resetClaims();
    resetOwnershipNotes();
    placer = newPlacer();
  },

  async check(oldInputs: Props, news: Props) {
    const olds = parseProps(storedInputsSchema, oldInputs, "CertificateOrder's previous inputs");
    const { inputs, failures } = await checkOrderInputs(news);
    if (failures.length === 0 && Object.keys(olds).length === 0) {
      const quotaFailure = await checkQuota(
        parseProps(previewInputsSchema, inputs, "CertificateOrder inputs"),
      );
      if (quotaFailure) failures.push(quotaFailure);
    }
    return { inputs, failures: failures.map((f) => namingDefault(f, news, inputs)) };
  },

  async diff(id: string, oldState: Props, newInputs: Props) {
    claim(id);
    const olds = ORDER_STATE.read(oldState, { id });
    const news = parseProps(previewInputsSchema, newInputs, "CertificateOrder inputs");
    // Here, not in check: check gets the old inputs, only diff sees the issued certificate's dates.
    const tooEarly = renewalBeyondValidity(olds, news);
    if (tooEarly) throw new Error(`order ${id}: ${tooEarly}`);
    const d = await diffOrder(olds, news);
    if (d.replaces.length > 0 && news.adoptOrderId === id)
      // The replacement's create would try to adopt this very order again (held by the resource it replaces).
      throw new Error(
        `order ${id}: ${d.reasons.join("; ")}. But adoptOrderId pins this resource to order ${id}, which its replacement cannot take: ` +
          "remove adoptOrderId from the program (it is needed only for the up that adopts; the resource keeps its order) and run pulumi up again",
      );
    for (const reason of d.reasons) log(`order ${olds.orderId ?? id}: ${reason}`);
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  },

  async create(checked: Props) {
    const inputs = parseProps(orderInputsSchema, checked, "CertificateOrder inputs");
    const domains = await orderNames(inputs);
    const action = chooseAction(inputs, domains);
    if (inputs.adoptOrderId) await verifyAdoption(inputs.adoptOrderId, inputs.productCode, domains);
    const { orderId, ownership } = inputs.adoptOrderId
      ? { orderId: inputs.adoptOrderId, ownership: "adopted" as const }
      : await placer.place(orderRequest(inputs, domains, action)).catch(async (e: unknown) => {
          throw await explainQuotaExhausted(e, inputs.productCode);
        });
    if (ownership === "placed") claim(orderId);
    else recordTakenByCreate(orderId);
    let outs: OrderOutputs;
    const account = currentAccount(client());
    try {
      const state = await client().call("DescribeCertificateState", { OrderId: orderId });
      outs = {
        ...withExpiry(
          await toOutputs(inputs, orderId, inputs.adoptOrderId ? "adopted" : action, domains, state),
        ),
        ownership,
        account,
      };
    } catch (e) {
      if (inputs.adoptOrderId && e instanceof CasApiError && e.code === "NotFoundOrder")
        throw new CasError(
          "AdoptNotFound",
          `adoptOrderId ${orderId}: CAS has no such order for these credentials; check the id (ListUserCertificateOrder) or remove adoptOrderId`,
        );
      // The order exists: keep it in state (partial failure) so the next `up` reads it instead of ordering again.
      const message = `order ${orderId} was placed but reading it back failed: ${(e as Error).message}. It is kept in state; run pulumi up or refresh again.`;
      throw Object.assign(new Error(message), {
        id: orderId,
        properties: {
          ...inputs,
          // The host adds the serialized provider to a create's outputs, but not to a partial
          // failure's: without it the next operation on this state could not load the provider.
          __provider: checked.__provider,
          schemaVersion: SCHEMA_VERSION,
          orderId,
          action,
          domains,
          status: phaseOf(UNREAD_TYPE).status,
          type: UNREAD_TYPE,
          ownership,
          account,
        },
        reasons: [message],
      });
    }
    log(
      `order ${orderId} ${inputs.adoptOrderId ? "adopted" : `placed with ${action}`} for ${domains.join(", ")}: ${outs.status}`,
    );
    return { id: orderId, outs };
  },

  async read(id: string, props: Props) {
    claim(id);
    const upgraded = ORDER_STATE.read(props, { id });
    const ownership = ownershipOf(upgraded, id);
    if (ownership === "unknown") noteUnknownOwnership(id);
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      state = await client().call("DescribeCertificateState", { OrderId: id });
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder") {
        const elsewhere = placedElsewhere(id, props.account, currentAccount(client()));
        if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
        log(`order ${id} no longer exists in CAS; removing it from state`);
        return { id: "", props: {} };
      }
      throw e;
    }
    const outs = await toOutputs(upgraded, id, upgraded.action, upgraded.domains, state, upgraded);
    const current = withExpiry(outs);
    const changed = refreshChanges(upgraded, current);
    if (changed) log(`order ${id} refreshed: ${changed}`);
    return { id, props: { ...current, ownership, ...accountOf(upgraded) } };
  },

  async update(id: string, olds: Props, newInputs: Props) {
    claim(id);
    const old = ORDER_STATE.read(olds, { id });
    const news = parseProps(orderInputsSchema, newInputs, "CertificateOrder inputs");
    // `adoptOrderId` naming this order in the program confirms an order of unknown ownership.
    const ownership = ownershipOf({ ...old, adoptOrderId: news.adoptOrderId }, id);
    if (ownership === "unknown") noteUnknownOwnership(id);
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      state = await client().call("DescribeCertificateState", { OrderId: id });
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder")
        throw new CasError(
          "OrderGone",
          placedElsewhere(id, olds.account, currentAccount(client())) ??
            `order ${id} no longer exists in CAS (it was removed outside this stack); run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` orders a new one`,
        );
      throw e;
    }
    const outs = await toOutputs(news, id, old.action, old.domains, state, old);
    return { outs: { ...withExpiry(outs), ownership, ...accountOf(old) } };
  },

  async delete(id: string, stored: Props) {
    claim(id);
    const props = ORDER_STATE.read(stored, { id });
    const onDelete = props.onDelete ?? INPUT_DEFAULTS.onDelete;
    if (onDelete === "retain") {
      log(`order ${id}: onDelete=retain, left in CAS untouched`);
      return;
    }
    if (wasTakenByCreate(id)) {
      log(
        `order ${id}: another resource of this deployment took this order in this run (adoptOrderId, or after a lost create answer), so it is left in CAS for that resource and only removed from this resource's state`,
      );
      return;
    }
    const ownership = ownershipOf(props, id);
    if (ownership === "unknown") {
      log(leftInCas(props, id));
      return;
    }
    if (ownership === "reconciled") {
      log(
        `order ${id}: taken after a lost create answer and never confirmed as this stack's (adoptOrderId), so left in CAS untouched; cancel it in the CAS console if it is yours`,
      );
      return;
    }
    const api = client();
    const gone = (e: unknown) => e instanceof CasApiError && e.code === "NotFoundOrder";
    try {
      const { Type } = await api.call("DescribeCertificateState", { OrderId: id });
      const plan = phaseOf(Type).onDelete;
      if (plan.kind === "withdraw") {
        for (const action of plan.calls) await api.call(action, { OrderId: id });
        log(`order ${id}: ${plan.done}`);
      } else if (plan.kind === "keepOrRevoke" && onDelete === "revoke") {
        await api.call("CancelCertificateForPackageRequest", { OrderId: id });
        log(
          `order ${id}: certificate revoked (onDelete=revoke); quota returns only within 30 days of issuance`,
        );
      } else if (plan.kind === "keepOrRevoke") {
        log(
          `order ${id}: the issued certificate is kept valid in CAS (set onDelete=revoke to revoke it); removed from the stack`,
        );
      } else {
        // An order in a state this provider does not know may still hold quota: never drop it silently.
        throw new CasError(
          "UnknownOrderState",
          `order ${id} is in state ${Type}, which this provider does not know how to withdraw; it stays in the stack so its quota is not lost unnoticed. Check it in the CAS console, then destroy again, or set onDelete: "retain" to remove it from the stack and leave it in CAS`,
        );
      }
    } catch (e) {
      if (gone(e)) {
        const elsewhere = placedElsewhere(id, props.account, currentAccount(api));
        if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
        log(`order ${id} was already gone from CAS`);
        return;
      }
      throw e;
    }
  },
};

/** The recorded account, carried from old state (absent in state written before it was recorded). */
function accountOf(props: { account?: unknown }): { account?: unknown } {
  return props.account === undefined ? {} : { account: props.account };
}

const DAY_MS = 86_400_000;

/**
 * An issued certificate past its notAfter reports `expired` (CAS keeps answering `certificate`), so
 * the next diff replaces it and the status says why.
 */
function withExpiry<T extends { status: string; notAfter: string | null; statusReason: string | null }>(
  outs: T,
  now = Date.now(),
): T {
  const notAfter = outs.notAfter ? Date.parse(outs.notAfter) : NaN;
  if (!isExpired(outs.status, notAfter, now)) return outs;
  return {
    ...outs,
    status: EXPIRED,
    statusReason: `the certificate expired ${outs.notAfter}; the next pulumi up orders a replacement`,
  };
}

/** The reason `renewBeforeDays` cannot work with this certificate (at or above its validity), if it cannot. */
function renewalBeyondValidity(olds: Props, news: Props): string | undefined {
  const days = news.renewBeforeDays;
  const from = typeof olds.notBefore === "string" ? Date.parse(olds.notBefore) : NaN;
  const to = typeof olds.notAfter === "string" ? Date.parse(olds.notAfter) : NaN;
  if (typeof days !== "number" || !Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  const validity = Math.floor((to - from) / DAY_MS);
  if (days < validity) return undefined;
  return `renewBeforeDays: ${days} is not below the certificate's validity of ${validity} days, so every pulumi up would replace it; set renewBeforeDays below ${validity} (for example ${Math.max(1, Math.floor(validity / 3))})`;
}

/** The names CAS binds: the CSR's CN (check refuses CSRs with more names), else `domains` or `domain`. */
async function orderNames(inputs: OrderInputs): Promise<string[]> {
  if (inputs.csr) return [(await parseCsr(inputs.csr)).commonName!];
  return inputs.domains ?? [inputs.domain!];
}
