import { accountRecord, currentAccount, type Account } from "./account";
import { CasApiError, CasError } from "../cas/errors";
import { parseCsr } from "../pki/csr";
import type { ProviderContext } from "./context";
import { chooseAction, type OrderInputs } from "./inputs";
import { toOutputs, SCHEMA_VERSION, type OrderOutputs, type OutputsIo } from "./outputs";
import { explainQuotaExhausted } from "./quota-exhausted";
import { publishList } from "./publish";
import { phaseOf, UNKNOWN_TYPE } from "./lifecycle";
import { describeCandidates, namesKey, verifyAdoption, type Ownership } from "./ownership";
import { ownershipOf } from "./held-by";
import type { OrderState } from "./state";
import { orderRequest, unresolvedCreate, type OrderPlacer } from "./placer";
import { withExpiry } from "./renewal";
import {
  candidatesFound,
  keptUnresolved,
  lookAgain,
  pendingLine,
  windowOpen,
  type PendingCreate,
} from "./pending-create";

// CertificateOrder's create: place (or adopt) an order and read it back; and the next `up` of a
// create whose answer was lost.

/** What building outputs needs from the context. */
function outputsIo(ctx: ProviderContext): OutputsIo {
  return { api: () => ctx.client(), log: ctx.log, certIds: ctx.certIds };
}

/** The outputs of one DescribeCertificateState answer, as of the context's clock (see {@link withExpiry}). */
export async function outputsNow(
  ctx: ProviderContext,
  ...args: Parameters<typeof toOutputs> extends [OutputsIo, ...infer R] ? R : never
): Promise<OrderOutputs> {
  return withExpiry(await toOutputs(outputsIo(ctx), ...args), ctx.clock.now());
}

/**
 * Records that a resource holds order `id` and how: the claim, and (said once per order) an
 * ownership recorded by a release that did not record it (`state.adoptOrderId`, the program's, naming
 * this order confirms an order of unknown ownership).
 */
export function holding(
  ctx: ProviderContext,
  state: Pick<OrderState, "ownership" | "adoptOrderId" | "domains">,
  id: string,
): Ownership {
  ctx.claims.claim(id);
  const ownership = ownershipOf(state, id, ctx.legacyOwnership());
  if (ownership === "unknown") ctx.ownershipNotes.note(id, state.domains);
  return ownership;
}

type Placed = Awaited<ReturnType<OrderPlacer["place"]>>;

/** Orders for `inputs` (or adopts `adoptOrderId`) and reads the order back: what create returns. */
export async function placeAndRead(ctx: ProviderContext, inputs: OrderInputs, provider: unknown) {
  const domains = await orderNames(inputs);
  const action = chooseAction(inputs, domains);
  const account = accountRecord(await currentAccount(ctx.client()));
  if (inputs.adoptOrderId) {
    await verifyAdoption(inputs.adoptOrderId, inputs.productCode, domains, ctx.client(), ctx.claims);
    const adopted: Placed = { orderId: inputs.adoptOrderId, ownership: "adopted" };
    return readBack(ctx, inputs, adopted, "adopted", domains, provider, account);
  }
  const placed = await ctx
    .placer()
    .place(orderRequest(inputs, domains, action))
    .catch(async (e: unknown) => {
      const u = unresolvedCreate(e);
      if (u) throw keptUnresolved(e as Error, u, { inputs, provider, action, domains, account });
      throw await explainQuotaExhausted(() => ctx.client(), ctx.quota, e, inputs.productCode);
    });
  return readBack(ctx, inputs, placed, action, domains, provider, account);
}

/** The outputs of an order just placed or taken; a failed read-back keeps it in state (partial failure). */
async function readBack(
  ctx: ProviderContext,
  inputs: OrderInputs,
  { orderId, ownership }: Placed,
  action: string,
  domains: string[],
  provider: unknown,
  account: Account,
) {
  if (ownership === "placed") ctx.claims.claim(orderId);
  else ctx.claims.recordTakenByCreate(orderId);
  let outs: OrderOutputs;
  try {
    const state = await ctx.client().call("DescribeCertificateState", { OrderId: orderId });
    outs = await outputsNow(ctx, inputs, orderId, action, domains, state);
  } catch (e) {
    if (ownership === "adopted" && e instanceof CasApiError && e.code === "NotFoundOrder")
      throw new CasError(
        "AdoptNotFound",
        `adoptOrderId ${orderId}: CAS has no such order for these credentials; check the id (ListUserCertificateOrder) or remove adoptOrderId`,
      );
    // The order exists: keep it in state (partial failure) so the next `up` reads it instead of ordering again.
    const message = `order ${orderId} was placed but reading it back failed: ${(e as Error).message}. It is kept in state; run pulumi up or refresh again.`;
    throw Object.assign(new CasError("ReadBackFailed", message, { cause: e }), {
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
        status: phaseOf(UNKNOWN_TYPE).status,
        type: UNKNOWN_TYPE,
        ownership,
        account,
      },
      reasons: [message],
    });
  }
  const how: Partial<Record<Ownership, string>> = {
    placed: `placed with ${action}`,
    adopted: "adopted",
    reconciled: "taken after a lost answer",
  };
  const toPublish = phaseOf(outs.type).awaitsValidation ? publishList(outs.validation) : null;
  ctx.log(
    `order ${orderId} ${how[ownership] ?? ownership} for ${domains.join(", ")}: ${outs.status}${toPublish ? `; publish ${toPublish}` : ""}`,
  );
  return { id: orderId, outs: { ...outs, ownership, account } };
}

/**
 * The next `up` of a resource whose create got no answer: adopt what `adoptOrderId` names; take or
 * list the orders CAS shows for that request; order only once its window is over with none listed.
 */
export async function resolvePending(
  ctx: ProviderContext,
  p: PendingCreate,
  news: OrderInputs,
  provider: unknown,
) {
  if (news.adoptOrderId) return placeAndRead(ctx, news, provider);
  const domains = await orderNames(news);
  const looked = await lookAgain(ctx.client(), ctx.claims, p, ctx.placer().windowMs, ctx.clock.now());
  // Another resource of this deployment may have taken a candidate while the listing was answered:
  // filtered again here, with no await between this and taking one (readBack claims at once).
  const found = looked.found.filter((c) => !ctx.claims.isClaimed(c.orderId));
  const { windowEnds } = looked;
  // The program now asks for other names or another product: what the earlier request placed is not this order.
  const same = news.productCode === p.productCode && namesKey(domains) === namesKey(p.names);
  if (found.length && !same)
    ctx.log(
      `${pendingLine(p)}; the program now asks for ${domains.join(", ")} (${news.productCode}), so what CAS lists for that request is left in CAS: ${describeCandidates(found)}; cancel them in the CAS console if they are this stack's`,
    );
  else if (found.length === 1 && ctx.settings.get("alicloud-cas:adoptAfterLostAnswer") === "unique") {
    const taken: Placed = { orderId: found[0]!.orderId, ownership: "reconciled" };
    const account = accountRecord(await currentAccount(ctx.client()));
    return readBack(ctx, news, taken, p.action, domains, provider, account);
  } else if (found.length)
    throw candidatesFound(
      p,
      found,
      `If one of them is this resource's order and no other stack holds it, set adoptOrderId to its OrderId (e.g. adoptOrderId: "${found[0]!.orderId}") and run pulumi up again. ` +
        "If none is (another stack placed them), remove this resource from the stack (pulumi state delete <urn>) and run pulumi up: it orders anew.",
    );
  if (ctx.clock.now() < windowEnds) throw windowOpen(p, windowEnds, "run pulumi up again");
  ctx.log(`${pendingLine(p)}; CAS has listed no order for it since, so ordering now`);
  return placeAndRead(ctx, news, provider);
}

/** The names CAS binds: the CSR's CN (check refuses CSRs with more names), else `domains` or `domain`. */
async function orderNames(inputs: OrderInputs): Promise<string[]> {
  if (inputs.csr) return [(await parseCsr(inputs.csr)).commonName!];
  return inputs.domains ?? [inputs.domain!];
}
