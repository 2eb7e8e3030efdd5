import { CasError } from "../cas/errors";
import type { Account } from "./account";
import type { OrderInputs } from "./inputs";
import { UNKNOWN_TYPE, phaseOf } from "./lifecycle";
import {
  describeCandidates,
  findCandidates,
  OwnershipUnprovenError,
  type Claims,
  type Candidate,
} from "./ownership";
import type { Unresolved } from "./placer";
import type { ListApi } from "./list-paging";
import { ORDER_STATE_VERSION, type OrderState } from "./state";

/**
 * A create whose order may exist (no answer, or candidates it could not take) is kept in the stack
 * as a partial failure recording the request, under a placeholder id: the stack is the memory
 * across `pulumi up` runs, so the next operation looks for that request's order before ordering
 * again, and a resource holds one order however often `up` is run.
 */

/** The id of a resource whose create is unresolved. */
const PLACEHOLDER_PREFIX = "unresolved-";

/** The request an unresolved create recorded. */
export type PendingCreate = NonNullable<OrderState["pendingCreate"]>;

/** What the create was asked, for the placeholder state. */
export interface CreateContext {
  inputs: OrderInputs;
  /** The serialized provider (the host adds it to a create's outputs, not to a partial failure's). */
  provider: unknown;
  action: string;
  domains: string[];
  account: Account;
}

/** The partial failure that keeps `e`'s create in the stack (the engine records its id and properties). */
export function keptUnresolved(e: Error, u: Unresolved, c: CreateContext): Error {
  const id = `${PLACEHOLDER_PREFIX}${u.sentAt}`;
  const message =
    `${e.message.replace(/\.?$/, ".")} The resource is kept in the stack as ${id} with this request ` +
    `(sent ${new Date(u.sentAt).toISOString()}): the next pulumi up looks for its order again before anything else, ` +
    "and orders only if none appeared (or set adoptOrderId to the OrderId of one that did).";
  return Object.assign(
    new CasError((e as Partial<CasError>).code ?? "OutcomeUnknown", message, { cause: e }),
    {
      candidates: e instanceof OwnershipUnprovenError ? e.candidates : [],
      id,
      properties: {
        ...c.inputs,
        __provider: c.provider,
        schemaVersion: ORDER_STATE_VERSION,
        orderId: id,
        action: c.action,
        domains: c.domains,
        status: phaseOf(UNKNOWN_TYPE).status,
        type: UNKNOWN_TYPE,
        ownership: "unknown",
        account: c.account,
        pendingCreate: {
          action: c.action,
          productCode: c.inputs.productCode,
          names: c.domains,
          sentAt: new Date(u.sentAt).toISOString(),
          candidates: u.candidates,
        },
      },
      reasons: [message],
    },
  );
}

/** What a later operation finds for a pending create: the candidates listed now, and when its window ends. */
export interface LookedAgain {
  found: Candidate[];
  /** When CAS is believed to list the request's order if it placed one (ms). */
  windowEnds: number;
}

/** Lists the orders the pending request may have placed (bought since it was sent, held by no resource of this process). */
export async function lookAgain(
  api: ListApi,
  claims: Claims,
  p: PendingCreate,
  windowMs: number,
  now: number,
): Promise<LookedAgain> {
  const sentAt = Date.parse(p.sentAt);
  const found = await findCandidates(api, claims, p.productCode, p.names, sentAt, now);
  return { found, windowEnds: sentAt + windowMs };
}

/** One line about a pending create, for the log. */
export function pendingLine(p: PendingCreate): string {
  return `the create of ${p.names.join(", ")} sent ${p.sentAt} got no answer and its order is not resolved yet`;
}

/** The error for a pending create whose request may have placed one of `found`. */
export function candidatesFound(p: PendingCreate, found: Candidate[], fix: string): CasError {
  return new OwnershipUnprovenError(
    `${pendingLine(p)}: CAS lists orders for these names and product, bought since then, that no resource of this deployment holds: ${describeCandidates(found)}. ` +
      `Nothing was adopted, cancelled or ordered. ${fix}`,
    found,
  );
}

/** The error for a pending create whose window is not over: CAS may still list its order. */
export function windowOpen(p: PendingCreate, windowEnds: number, then: string): CasError {
  return new CasError(
    "OutcomeUnknown",
    `${pendingLine(p)}, and CAS lists no order for it yet, but may still (alicloud-cas:lostAnswerWindowSeconds): ${then} after ${new Date(windowEnds).toISOString()}; nothing was ordered or withdrawn`,
  );
}
