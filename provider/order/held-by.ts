import type { Log } from "./log";
import type { Ownership } from "./ownership";
import { LEGACY_OWNERSHIP_KEY } from "./settings";
import type { OrderState } from "./state";

export { LEGACY_OWNERSHIP_KEY };

/**
 * How the resource holds `id` now. An order taken after a lost answer, or of unknown ownership, that
 * the program names in `adoptOrderId` is adopted; `legacyOwnership: placed` confirms unknown ones.
 */
export function ownershipOf(
  state: Pick<OrderState, "ownership" | "adoptOrderId">,
  id: string,
  legacyOwnership: "placed" | "unknown",
): Ownership {
  const o = state.ownership;
  if ((o === "reconciled" || o === "unknown") && state.adoptOrderId === id) return "adopted";
  if (o === "unknown" && legacyOwnership === "placed") return "placed";
  return o;
}

/** How to confirm or withdraw an order of unknown ownership. */
function confirmHow(id: string): string {
  return (
    `if this stack placed it, run \`pulumi config set ${LEGACY_OWNERSHIP_KEY} placed\` (confirms every such order of the stack) ` +
    `or set \`adoptOrderId: "${id}"\` on the resource ordering these names, then pulumi up before any destroy (destroy uses the configuration the last up recorded)`
  );
}

/**
 * Says, once per order and configuration, that an order's ownership is unknown (the first time with
 * the why and the fix; after that one short line), so a refresh of many such orders names each once.
 */
export class OwnershipNotes {
  private readonly named = new Set<string>();
  constructor(private readonly log: Log) {}

  /** Says it for order `id` of `domains`, unless already said. */
  note(id: string, domains: readonly string[]): void {
    if (this.named.has(id)) return;
    const first = this.named.size === 0;
    this.named.add(id);
    this.log(
      first
        ? `order ${id} (${domains.join(", ")}): ownership unknown. It was recorded by a release before 0.2.0, which did not record whether this stack placed the order or took another stack's after a lost create answer, so destroy and replacement leave it in CAS; ${confirmHow(id)}`
        : `order ${id} (${domains.join(", ")}): ownership unknown (recorded by a release before 0.2.0; see the first such line)`,
    );
  }
}

/** What delete says when it leaves an order of unknown ownership in CAS. */
export function leftInCas(state: Pick<OrderState, "status" | "domains">, id: string): string {
  return (
    `order ${id} (${state.domains.join(", ") || "names not recorded"}; last recorded ${state.status ?? "with no status"}) left in CAS and removed from the stack: its ownership is unknown ` +
    "(recorded by a release before 0.2.0), so this stack neither cancels nor revokes it. " +
    `If it is yours, look up its state in the CAS console and withdraw it there or through the API (a pending order: CancelOrderRequest with OrderId ${id}; an issued one: CancelCertificateForPackageRequest revokes it), or keep it. ` +
    `(To have destroy withdraw such orders, set ${LEGACY_OWNERSHIP_KEY} to placed, or adoptOrderId, and run pulumi up before destroying.)`
  );
}
