import {
  accountRecord,
  accountUnproven,
  accountUnrecorded,
  checkSameAccount,
  currentAccount,
  filledAccount,
  placedElsewhere,
  type Account,
} from "./account";
import type { ResponseOf } from "../cas/actions";
import { systemClock } from "../../protocol/clock";
import { CasApiError, CasError } from "../cas/errors";
import { parseCsr, type CsrInfo } from "../pki/csr";
import {
  checkOrderInputs,
  chooseAction,
  csrBindingFailures,
  INPUT_DEFAULTS,
  orderInputsSchema,
  type Failure,
  type OrderInputs,
} from "./inputs";
import { diffOrder } from "./diff";
import { certificateFields, refreshChanges, SCHEMA_VERSION, toOutputs, type OrderOutputs } from "./outputs";
import { checkQuota } from "./quota";
import { explainQuotaExhausted } from "./quota-exhausted";
import { log, setLogSink, type LogSink } from "./log";
import { checkSettings, client, operationDeadline, setConfig, setting, settingsFailure } from "./settings";
import { parseProps } from "./parse-state";
import { publishList } from "./publish";
import { ORDER_STATE, previewInputsSchema, storedInputsSchema } from "./state";
import {
  legacyOwnershipSetting,
  leftInCas,
  noteUnknownOwnership,
  ownershipOf,
  resetOwnershipNotes,
} from "./held-by";
import { resetProductWarnings } from "./product-warnings";
import { EXPIRED, ISSUED, isExpired, phaseOf, UNREAD_TYPE } from "./lifecycle";
import {
  claim,
  isClaimed,
  describeCandidates,
  namesKey,
  recordTakenByCreate,
  wasTakenByCreate,
  lostAnswerPolicy,
  resetClaims,
  verifyAdoption,
} from "./ownership";
import { configuredPolicy, OrderPlacer, orderRequest, unresolvedCreate } from "./placer";
import {
  candidatesFound,
  keptUnresolved,
  lookAgain,
  pendingLine,
  windowOpen,
  type PendingCreate,
} from "./pending-create";

type Props = Record<string, unknown>;

/**
 * An order placed before 0.2.0 with a CSR CAS cannot fully bind (names beyond its CN) keeps that CSR:
 * its binding rules apply to new orders, not to one that exists, so its stack still previews and
 * updates. The rest of the CSR's checks still apply.
 */
async function keepingPlacedCsr(
  oldCsr: string | undefined,
  csr: CsrInfo | null,
  failures: Failure[],
): Promise<Failure[]> {
  if (!oldCsr || !csr) return failures;
  const old = await parseCsr(oldCsr).catch(() => null);
  if (!old || old.publicKeySha256 !== csr.publicKeySha256 || old.subject !== csr.subject) return failures;
  if (JSON.stringify(old.names) !== JSON.stringify(csr.names)) return failures;
  const binding = new Set(csrBindingFailures(csr).map((f) => f.reason));
  const kept = failures.filter((f) => !(f.property === "csr" && binding.has(f.reason)));
  if (kept.length < failures.length)
    log(
      `the order's CSR (CN ${csr.commonName}) was accepted by a release before 0.2.0 and is kept; CAS binds only its CN, so a new order (renewal, replacement) needs a CSR with that name alone, or domains`,
    );
  return kept;
}
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
    // A bad value was recorded by checkSettings and fails every operation; the defaults stand in.
    policy: (() => {
      try {
        return configuredPolicy(setting);
      } catch {
        return {};
      }
    })(),
  });
}

/**
 * A failure about an input the user did not set says the value is the default, and names no
 * property to the engine: it renders a failure on a property as `property productCode value
 * {<nil>} has a problem` (the program passed nothing), and one without as `resource 'www' has a
 * problem: productCode (default …): …`.
 */
function namingDefault(f: Failure, news: Props, inputs: Props): Failure {
  const value = inputs[f.property];
  if (news[f.property] !== undefined || (typeof value !== "string" && typeof value !== "number")) return f;
  return { property: "", reason: `${f.property} (default ${String(value)}): ${f.reason}` };
}

/**
 * The `CertificateOrder` provider: the object `pulumi.dynamic.Resource` talks to (through a tiny
 * stub that loads this module by package name in the provider process).
 */
export const certificateOrderProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    setConfig((key) => req.config.get(key));
    checkSettings(req.config, [lostAnswerPolicy, legacyOwnershipSetting, () => configuredPolicy(setting)]);
    setLogSink(req.log);
    resetClaims();
    resetOwnershipNotes();
    checkQuota.reset();
    resetProductWarnings();
    placer = newPlacer();
  },

  async check(oldInputs: Props, news: Props) {
    const badSettings = settingsFailure();
    if (badSettings) return { inputs: news, failures: [badSettings] };
    const olds = parseProps(storedInputsSchema, oldInputs, "CertificateOrder's previous inputs");
    const checked = await checkOrderInputs(news);
    const { inputs } = checked;
    const failures = await keepingPlacedCsr(olds.csr, checked.csr, checked.failures);
    if (failures.length === 0 && Object.keys(olds).length === 0) {
      const quotaFailure = await checkQuota(
        parseProps(previewInputsSchema, inputs, "CertificateOrder inputs"),
      );
      if (quotaFailure) failures.push(quotaFailure);
    }
    return { inputs, failures: failures.map((f) => namingDefault(f, news, inputs)) };
  },

  async diff(resourceId: string, oldState: Props, newInputs: Props) {
    const olds = ORDER_STATE.read(oldState, { id: resourceId });
    if (olds.pendingCreate) {
      // Never a replacement: a replacing create would not look in the unanswered request's window.
      log(`${pendingLine(olds.pendingCreate)}; pulumi up looks for its order before ordering`);
      return { changes: true, replaces: [], deleteBeforeReplace: false };
    }
    const id = olds.orderId;
    claim(id);
    const news = parseProps(previewInputsSchema, newInputs, "CertificateOrder inputs");
    // Said in every preview, not only on refresh: a destroy would leave such an order in CAS.
    if (ownershipOf({ ...olds, adoptOrderId: news.adoptOrderId }, id) === "unknown")
      noteUnknownOwnership(id, olds.domains);
    const current = await issuedSinceRead(id, olds, news);
    // Here, not in check: check gets the old inputs, only diff sees the issued certificate's dates.
    const tooEarly = renewalBeyondValidity(current, news);
    if (tooEarly) throw new Error(`order ${id}: ${tooEarly}`);
    const d = await diffOrder(current, news);
    if (d.replaces.length > 0 && news.adoptOrderId === id)
      // The replacement's create would try to adopt this very order again (held by the resource it replaces).
      throw new Error(
        `order ${id}: ${d.reasons.join("; ")}. But adoptOrderId pins this resource to order ${id}, which its replacement cannot take: ` +
          "remove adoptOrderId from the program (it is needed only for the up that adopts; the resource keeps its order) and run pulumi up again",
      );
    // A CSR kept from before 0.2.0 (see keepingPlacedCsr) may not place a new order.
    const csr =
      d.replaces.length > 0 && typeof news.csr === "string"
        ? await parseCsr(news.csr).catch(() => null)
        : null;
    const binding = csr ? csrBindingFailures(csr) : [];
    if (binding.length)
      throw new Error(
        `order ${id}: ${d.reasons.join("; ")}. A new order cannot take this CSR: ${binding.map((f) => f.reason).join("; ")}`,
      );
    for (const reason of d.reasons) log(`order ${olds.orderId ?? id}: ${reason}`);
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  },

  async create(checked: Props) {
    const inputs = parseProps(orderInputsSchema, checked, "CertificateOrder inputs");
    return placeAndRead(inputs, checked.__provider);
  },

  async read(resourceId: string, props: Props) {
    const upgraded = ORDER_STATE.read(props, { id: resourceId });
    if (upgraded.pendingCreate) {
      // Kept as it is (the placeholder is no order CAS knows): the next `up` resolves it.
      log(`${pendingLine(upgraded.pendingCreate)}; the next pulumi up looks for its order before ordering`);
      return { id: resourceId, props: upgraded };
    }
    // Once an unresolved create is resolved, the state names the order and refresh takes its id.
    const id = upgraded.orderId;
    claim(id);
    const ownership = ownershipOf(upgraded, id);
    if (ownership === "unknown") noteUnknownOwnership(id, upgraded.domains);
    const now = await currentAccount(client());
    checkSameAccount(id, upgraded.account, now, "read");
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      // For the account checked: credentials switched meanwhile are refused, never read as "gone".
      state = await client().call("DescribeCertificateState", { OrderId: id }, { account: now.accountId });
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder") {
        const elsewhere = placedElsewhere(id, upgraded.account, now);
        if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
        const unproven = accountUnproven(id, upgraded.account, now);
        if (unproven) {
          // Never dropped on this answer alone: kept as it was, and said on every refresh.
          log(unproven);
          return { id: resourceId, props: upgraded };
        }
        log(`order ${id} no longer exists in CAS; removing it from state`);
        return { id: "", props: {} };
      }
      throw e;
    }
    const outs = await toOutputs(upgraded, id, upgraded.action, upgraded.domains, state, upgraded);
    const current = withExpiry(outs);
    const changed = refreshChanges(upgraded, current);
    if (changed) log(`order ${id} refreshed: ${changed}`);
    if (accountUnrecorded(upgraded.account))
      log(
        `order ${id}: placed in account ${now.accountId}, recorded (state of an earlier release did not record it)`,
      );
    return { id, props: { ...current, ownership, account: filledAccount(upgraded.account, now) } };
  },

  async update(resourceId: string, olds: Props, newInputs: Props) {
    const old = ORDER_STATE.read(olds, { id: resourceId });
    const news = parseProps(orderInputsSchema, newInputs, "CertificateOrder inputs");
    const now = await currentAccount(client());
    checkSameAccount(old.orderId, old.account, now, "updated");
    if (old.pendingCreate)
      return { outs: (await resolvePending(old.pendingCreate, news, newInputs.__provider)).outs };
    const id = old.orderId;
    claim(id);
    // `adoptOrderId` naming this order in the program confirms an order of unknown ownership.
    const ownership = ownershipOf({ ...old, adoptOrderId: news.adoptOrderId }, id);
    if (ownership === "unknown") noteUnknownOwnership(id, old.domains);
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      state = await client().call("DescribeCertificateState", { OrderId: id }, { account: now.accountId });
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder")
        throw new CasError(
          "OrderGone",
          placedElsewhere(id, old.account, now) ??
            accountUnproven(id, old.account, now) ??
            `order ${id} no longer exists in CAS (it was removed outside this stack); run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` orders a new one`,
        );
      throw e;
    }
    const outs = await toOutputs(news, id, old.action, old.domains, state, old);
    return { outs: { ...withExpiry(outs), ownership, account: filledAccount(old.account, now) } };
  },

  async delete(resourceId: string, stored: Props) {
    const props = ORDER_STATE.read(stored, { id: resourceId });
    const onDelete = props.onDelete ?? INPUT_DEFAULTS.onDelete;
    if (props.pendingCreate && onDelete !== "retain") {
      checkSameAccount(props.orderId, props.account, await currentAccount(client()), "looked for or removed");
      return deletePending(props.pendingCreate);
    }
    const id = props.orderId;
    claim(id);
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
    const now = await currentAccount(api);
    checkSameAccount(id, props.account, now, "withdrawn, revoked or removed from the stack");
    const gone = (e: unknown) => e instanceof CasApiError && e.code === "NotFoundOrder";
    try {
      // For the account checked: credentials switched meanwhile are refused, never read as "gone".
      const acting = { account: now.accountId };
      const { Type } = await api.call("DescribeCertificateState", { OrderId: id }, acting);
      const plan = phaseOf(Type).onDelete;
      if (plan.kind === "withdraw") {
        for (const action of plan.calls) await api.call(action, { OrderId: id }, acting);
        log(`order ${id}: ${plan.done}`);
      } else if (plan.kind === "keepOrRevoke" && onDelete === "revoke") {
        await api.call("CancelCertificateForPackageRequest", { OrderId: id }, acting);
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
        const elsewhere = placedElsewhere(id, props.account, now) ?? accountUnproven(id, props.account, now);
        if (elsewhere) throw new CasError("OrderElsewhere", elsewhere);
        log(`order ${id} was already gone from CAS`);
        return;
      }
      if (e instanceof CasApiError && e.code === "DeleteFail")
        throw new CasError(
          "DeleteFail",
          `${e.message}. Order ${id} stays in the stack; a pending order has been withdrawn and holds its quota until it is deleted. Run \`pulumi destroy\` (or the \`pulumi up\` that replaces it) again to retry, or delete the order in the CAS console and then run \`pulumi refresh\``,
        );
      throw e;
    }
  },
};

type Placed = Awaited<ReturnType<OrderPlacer["place"]>>;

/** Orders for `inputs` (or adopts `adoptOrderId`) and reads the order back: what create returns. */
async function placeAndRead(inputs: OrderInputs, provider: unknown) {
  const domains = await orderNames(inputs);
  const action = chooseAction(inputs, domains);
  const account = accountRecord(await currentAccount(client()));
  if (inputs.adoptOrderId) {
    await verifyAdoption(inputs.adoptOrderId, inputs.productCode, domains);
    const adopted: Placed = { orderId: inputs.adoptOrderId, ownership: "adopted" };
    return readBack(inputs, adopted, "adopted", domains, provider, account);
  }
  const placed = await placer.place(orderRequest(inputs, domains, action)).catch(async (e: unknown) => {
    const u = unresolvedCreate(e);
    if (u) throw keptUnresolved(e as Error, u, { inputs, provider, action, domains, account });
    throw await explainQuotaExhausted(e, inputs.productCode);
  });
  return readBack(inputs, placed, action, domains, provider, account);
}

/** The outputs of an order just placed or taken; a failed read-back keeps it in state (partial failure). */
async function readBack(
  inputs: OrderInputs,
  { orderId, ownership }: Placed,
  action: string,
  domains: string[],
  provider: unknown,
  account: Account,
) {
  if (ownership === "placed") claim(orderId);
  else recordTakenByCreate(orderId);
  let outs: OrderOutputs;
  try {
    const state = await client().call("DescribeCertificateState", { OrderId: orderId });
    outs = withExpiry(await toOutputs(inputs, orderId, action, domains, state));
  } catch (e) {
    if (ownership === "adopted" && e instanceof CasApiError && e.code === "NotFoundOrder")
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
        __provider: provider,
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
  const how = {
    placed: `placed with ${action}`,
    adopted: "adopted",
    reconciled: "taken after a lost answer",
  };
  const toPublish = phaseOf(outs.type).awaitsValidation ? publishList(outs.validation) : null;
  log(
    `order ${orderId} ${how[ownership as keyof typeof how] ?? ownership} for ${domains.join(", ")}: ${outs.status}${toPublish ? `; publish ${toPublish}` : ""}`,
  );
  return { id: orderId, outs: { ...outs, ownership, account } };
}

/**
 * The next `up` of a resource whose create got no answer: adopt what `adoptOrderId` names; take or
 * list the orders CAS shows for that request; order only once its window is over with none listed.
 */
async function resolvePending(p: PendingCreate, news: OrderInputs, provider: unknown) {
  if (news.adoptOrderId) return placeAndRead(news, provider);
  const domains = await orderNames(news);
  const looked = await lookAgain(p, placer.windowMs, Date.now());
  // Another resource of this deployment may have taken a candidate while the listing was answered:
  // filtered again here, with no await between this and taking one (readBack claims at once).
  const found = looked.found.filter((c) => !isClaimed(c.orderId));
  const { windowEnds } = looked;
  // The program now asks for other names or another product: what the earlier request placed is not this order.
  const same = news.productCode === p.productCode && namesKey(domains) === namesKey(p.names);
  if (found.length && !same)
    log(
      `${pendingLine(p)}; the program now asks for ${domains.join(", ")} (${news.productCode}), so what CAS lists for that request is left in CAS: ${describeCandidates(found)}; cancel them in the CAS console if they are this stack's`,
    );
  else if (found.length === 1 && lostAnswerPolicy() === "unique") {
    const taken: Placed = { orderId: found[0]!.orderId, ownership: "reconciled" };
    return readBack(news, taken, p.action, domains, provider, accountRecord(await currentAccount(client())));
  } else if (found.length)
    throw candidatesFound(
      p,
      found,
      `If one of them is this resource's order and no other stack holds it, set adoptOrderId to its OrderId (e.g. adoptOrderId: "${found[0]!.orderId}") and run pulumi up again. ` +
        "If none is (another stack placed them), remove this resource from the stack (pulumi state delete <urn>) and run pulumi up: it orders anew.",
    );
  if (Date.now() < windowEnds) throw windowOpen(p, windowEnds, "run pulumi up again");
  log(`${pendingLine(p)}; CAS has listed no order for it since, so ordering now`);
  return placeAndRead(news, provider);
}

/**
 * Destroy of a resource whose create got no answer. It holds no order it can prove is its own, so it
 * withdraws nothing; what CAS lists for that request (or may still list) is named, left in CAS.
 */
async function deletePending(p: PendingCreate): Promise<void> {
  const { found, windowEnds } = await lookAgain(p, placer.windowMs, Date.now());
  const open = Date.now() < windowEnds;
  if (found.length)
    log(
      `${pendingLine(p)}; CAS lists orders for these names and product since then, which it may have placed: ${describeCandidates(found)}. ` +
        "They are left in CAS (destroy withdraws nothing it cannot prove is this stack's): if one is this resource's, cancel it in the CAS console; removed from the stack",
    );
  else
    log(
      `${pendingLine(p)}; CAS lists no order for it${open ? ` yet (it may until ${new Date(windowEnds).toISOString()}: if one appears for these names, cancel it in the CAS console)` : " since"}, so nothing is withdrawn; removed from the stack`,
    );
}

/**
 * The stored outputs with the certificate's status and dates as CAS has them now, when the state
 * was written before the order was issued (created pending, never refreshed) and `renewBeforeDays`
 * asks for a renewal check: one `DescribeCertificateState`, so a plain preview knows whether the
 * renewal is due without `--refresh`. Nothing is stored (diff writes no state); `pulumi refresh`
 * or the next update records the issued certificate. When CAS cannot be read, the stored state
 * decides, as before, and the log says so.
 */
async function issuedSinceRead(id: string, olds: Props, news: Props): Promise<Props> {
  if (typeof news.renewBeforeDays !== "number") return olds;
  const stored = phaseOf(typeof olds.type === "string" ? olds.type : UNREAD_TYPE);
  if (stored.issued || stored.wait.kind !== "poll") return olds;
  let state: ResponseOf<"DescribeCertificateState">;
  try {
    state = await client().call("DescribeCertificateState", { OrderId: id });
  } catch (e) {
    log(
      `order ${id}: its state could not be read for the renewal check (${(e as Error).message}); the stored state (${String(olds.status)}) decides: run pulumi up --refresh to read it`,
    );
    return olds;
  }
  if (!phaseOf(state.Type).issued) return olds;
  const cert = await certificateFields(state);
  if (!cert.notAfter) return olds;
  const status = isExpired(ISSUED, Date.parse(cert.notAfter), Date.now()) ? EXPIRED : ISSUED;
  return { ...olds, status, type: state.Type, notBefore: cert.notBefore, notAfter: cert.notAfter };
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
