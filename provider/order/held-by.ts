import { CasError } from "../cas/errors";
import { bound } from "../cas/redact";
import { log } from "./log";
import type { Ownership } from "./ownership";
import { setting } from "./settings";
import type { OrderState } from "./state";

/** The stack setting that confirms every order of unknown ownership as placed by this stack. */
export const LEGACY_OWNERSHIP_KEY = "alicloud-cas:legacyOwnership";

/** `alicloud-cas:legacyOwnership`: `placed` confirms orders of unknown ownership; unset leaves them unknown. */
export function legacyOwnershipSetting(): "placed" | "unknown" {
  const v = setting(LEGACY_OWNERSHIP_KEY);
  if (v === undefined || v === "" || v === "unknown") return "unknown";
  if (v === "placed") return "placed";
  throw new CasError(
    "InvalidConfig",
    `${LEGACY_OWNERSHIP_KEY}: ${JSON.stringify(bound(v, 40))} is not a setting; use "placed" (every order this stack recorded before ownership was recorded was placed by this stack) or leave it unset`,
  );
}

/**
 * How the resource holds `id` now. An order taken after a lost answer, or of unknown ownership, that
 * the program names in `adoptOrderId` is adopted; `legacyOwnership: placed` confirms unknown ones.
 */
export function ownershipOf(state: Pick<OrderState, "ownership" | "adoptOrderId">, id: string): Ownership {
  const o = state.ownership;
  if ((o === "reconciled" || o === "unknown") && state.adoptOrderId === id) return "adopted";
  if (o === "unknown" && legacyOwnershipSetting() === "placed") return "placed";
  return o;
}

/** How to confirm or withdraw an order of unknown ownership. */
function confirmHow(id: string): string {
  return (
    `if this stack placed it, run \`pulumi config set ${LEGACY_OWNERSHIP_KEY} placed\` (confirms every such order of the stack) ` +
    `or set \`adoptOrderId: "${id}"\` on the resource ordering these names, then pulumi up before any destroy (destroy uses the configuration the last up recorded)`
  );
}

const named = new Set<string>();

/**
 * Says, once per order and process, that an order's ownership is unknown (the first time with the
 * why and the fix; after that one short line), so a refresh of many such orders names each once.
 */
export function noteUnknownOwnership(id: string, domains: readonly string[]): void {
  if (named.has(id)) return;
  const first = named.size === 0;
  named.add(id);
  log(
    first
      ? `order ${id} (${domains.join(", ")}): ownership unknown. It was recorded by a release before 0.2.0, which did not record whether this stack placed the order or took another stack's after a lost create answer, so destroy and replacement leave it in CAS; ${confirmHow(id)}`
      : `order ${id} (${domains.join(", ")}): ownership unknown (recorded by a release before 0.2.0; see the first such line)`,
  );
}

/** Forgets which orders were named (a new configuration is another deployment). */
export function resetOwnershipNotes(): void {
  named.clear();
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
