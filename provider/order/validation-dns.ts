import type { ProviderContext } from "./context";
import { precheckDns } from "./dns-precheck";
import { listPages } from "./list-paging";
import { phaseOf } from "./lifecycle";
import { dnsRecordsFor } from "./outputs";

// The optional DNS pre-check of a CertificateOrderValidation: what it looks up, and its log lines.

/**
 * The names of an order, from the CPACK list. `Keyword` matches the bound domain or the resource
 * id (SDK remark), never the OrderId, so the list is paged without it and matched on `OrderId`
 * (returned for CPACK items). `undefined` when the order is not among the first pages.
 */
async function orderDomains(ctx: ProviderContext, orderId: string): Promise<string[] | undefined> {
  for await (const items of listPages(ctx.client(), { OrderType: "CPACK" })) {
    const hit = items.find((o) => o.OrderId === orderId);
    if (hit) return (hit.Domain ?? "").split(",").filter(Boolean);
  }
  return undefined;
}

/** Runs the optional DNS pre-check and logs one line per record and resolver. */
export async function reportDns(
  ctx: ProviderContext,
  orderId: string,
  fqdns: string[] | null,
  resolvers: string[],
): Promise<void> {
  const api = ctx.client();
  const state = await api.call("DescribeCertificateState", { OrderId: orderId });
  if (!phaseOf(state.Type).awaitsValidation) return;
  if (state.ValidateType === "FILE") {
    if (state.Uri)
      ctx.log(
        `order ${orderId}: FILE validation: serve the given content at http://${state.Domain ?? "<the ordered name>"}${state.Uri}; the DNS pre-check does not apply`,
      );
    return;
  }
  if (!state.RecordDomain) return;
  let names = fqdns;
  if (!names?.length) {
    const domains = await orderDomains(ctx, orderId);
    if (!domains?.length) {
      ctx.log(
        `order ${orderId}: DNS pre-check skipped: the order's names were not found in ListUserCertificateOrder; pass validationRecordFqdns`,
      );
      return;
    }
    names = dnsRecordsFor(
      domains,
      state.RecordDomain,
      state.RecordType ?? "TXT",
      state.RecordValue ?? "",
    ).map((r) => r.fqdn);
  }
  const results = await precheckDns(
    names.map((fqdn) => ({ fqdn, type: state.RecordType ?? "TXT", value: state.RecordValue ?? "" })),
    resolvers,
  );
  for (const r of results) ctx.log(`order ${orderId}: DNS pre-check ${r.fqdn} at ${r.resolver}: ${r.detail}`);
  if (results.some((r) => !r.visible))
    ctx.log(
      `order ${orderId}: some validation records are not visible yet; CAS validates only once they are`,
    );
}
