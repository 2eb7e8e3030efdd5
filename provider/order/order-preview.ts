import type { ResponseOf } from "../cas/actions";
import { CasError } from "../cas/errors";
import { parseCsr, type CsrInfo } from "../pki/csr";
import type { ProviderContext } from "./context";
import { csrBindingFailures, type Failure } from "./inputs";
import type { Log } from "./log";
import { phaseOf, UNKNOWN_TYPE } from "./lifecycle";
import { certificateFields } from "./outputs";
import { issuedStatus, renewalBeyondValidity } from "./renewal";
import { diffOrder, type OrderDiff } from "./diff";
import type { OrderState, PreviewInputs } from "./state";

// CertificateOrder's check and diff rules that need more than the inputs: a CSR kept from an
// earlier release, failures about defaults, the issued state a plain preview reads for renewal.

type Props = Record<string, unknown>;

/**
 * An order placed before 0.2.0 with a CSR CAS cannot fully bind (names beyond its CN) keeps that CSR:
 * its binding rules apply to new orders, not to one that exists, so its stack still previews and
 * updates. The rest of the CSR's checks still apply.
 */
export async function keepingPlacedCsr(
  log: Log,
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
/**
 * A failure about an input the user did not set says the value is the default, and names no
 * property to the engine: it renders a failure on a property as `property productCode value
 * {<nil>} has a problem` (the program passed nothing), and one without as `resource 'www' has a
 * problem: productCode (default …): …`.
 */
export function namingDefault(f: Failure, news: Props, inputs: Props): Failure {
  const value = inputs[f.property];
  if (news[f.property] !== undefined || (typeof value !== "string" && typeof value !== "number")) return f;
  return { property: "", reason: `${f.property} (default ${String(value)}): ${f.reason}` };
}

/**
 * The stored outputs with the certificate's status and dates as CAS has them now, when the state
 * was written before the order was issued (created pending, never refreshed) and `renewBeforeDays`
 * asks for a renewal check: one `DescribeCertificateState`, so a plain preview knows whether the
 * renewal is due without `--refresh`. Nothing is stored (diff writes no state); `pulumi refresh`
 * or the next update records the issued certificate. When CAS cannot be read, the stored state
 * decides, as before, and the log says so.
 */
async function issuedSinceRead(ctx: ProviderContext, id: string, olds: Props, news: Props): Promise<Props> {
  if (typeof news.renewBeforeDays !== "number") return olds;
  const stored = phaseOf(typeof olds.type === "string" ? olds.type : UNKNOWN_TYPE);
  if (stored.issued || stored.wait.kind !== "poll") return olds;
  let state: ResponseOf<"DescribeCertificateState">;
  try {
    state = await ctx.client().call("DescribeCertificateState", { OrderId: id });
  } catch (e) {
    ctx.log(
      `order ${id}: its state could not be read for the renewal check (${(e as Error).message}); the stored state (${String(olds.status)}) decides: run pulumi up --refresh to read it`,
    );
    return olds;
  }
  if (!phaseOf(state.Type).issued) return olds;
  const cert = await certificateFields(state, ctx.certIds);
  if (!cert.notAfter) return olds;
  const status = issuedStatus(cert.notAfter, ctx.clock.now());
  return { ...olds, status, type: state.Type, notBefore: cert.notBefore, notAfter: cert.notAfter };
}

/**
 * The diff of an order against the program's inputs, with the checks only diff can make: the
 * issued certificate's dates against `renewBeforeDays`, an `adoptOrderId` that a replacement could
 * not take, a CSR kept from before 0.2.0 that may not place a new order. Each reason is logged.
 */
export async function replacementsDue(
  c: ProviderContext,
  id: string,
  olds: OrderState,
  news: PreviewInputs,
): Promise<OrderDiff> {
  const current = await issuedSinceRead(c, id, olds, news);
  // Here, not in check: check gets the old inputs, only diff sees the issued certificate's dates.
  const tooEarly = renewalBeyondValidity(current, news.renewBeforeDays);
  if (tooEarly) throw new CasError("RenewalBeyondValidity", `order ${id}: ${tooEarly}`);
  const d = await diffOrder(current, news, c.clock.now());
  const why = d.reasons.join("; ");
  if (d.replaces.length > 0 && news.adoptOrderId === id)
    // The replacement's create would try to adopt this very order again (held by the resource it replaces).
    throw new CasError(
      "AdoptPinsReplacement",
      `order ${id}: ${why}. But adoptOrderId pins this resource to order ${id}, which its replacement cannot take: ` +
        "remove adoptOrderId from the program (it is needed only for the up that adopts; the resource keeps its order) and run pulumi up again",
    );
  // A CSR kept from before 0.2.0 (see keepingPlacedCsr) may not place a new order.
  const csr =
    d.replaces.length > 0 && typeof news.csr === "string" ? await parseCsr(news.csr).catch(() => null) : null;
  const binding = csr ? csrBindingFailures(csr) : [];
  if (binding.length)
    throw new CasError(
      "CsrCannotReorder",
      `order ${id}: ${why}. A new order cannot take this CSR: ${binding.map((f) => f.reason).join("; ")}`,
    );
  for (const reason of d.reasons) c.log(`order ${olds.orderId}: ${reason}`);
  return d;
}
