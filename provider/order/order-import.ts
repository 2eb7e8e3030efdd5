import { CasError } from "../cas/errors";
import type { ProviderContext } from "./context";
import { INPUT_DEFAULTS, ORDER_ID_RE } from "./inputs";
import { listPages } from "./list-paging";

/**
 * The inputs `pulumi import` gives an existing order, found in CAS by its OrderId: its names
 * (`domain`, or `domains` for several), its product when it is not the default, and
 * `adoptOrderId` (the resource takes this order, never places one). CAS answers no contact for an
 * order, so `username`, `phone` and `email` are for the program to add (a change in place, never a
 * new order). No action returns an order's names by id: the CPACK list is paged until it is found.
 */
export async function importedOrderInputs(
  ctx: ProviderContext,
  orderId: string,
): Promise<Record<string, string | string[]>> {
  if (!ORDER_ID_RE.test(orderId))
    throw new CasError(
      "ImportBadId",
      `${JSON.stringify(orderId.slice(0, 40))} is no CAS OrderId (up to 20 digits): pulumi import alicloudcas:index:CertificateOrder <name> <OrderId>`,
    );
  for await (const items of listPages(ctx.client(), { OrderType: "CPACK" })) {
    const o = items.find((i) => i.OrderId === orderId);
    if (!o) continue;
    const names = (o.Domain ?? "").split(",").filter(Boolean);
    if (names.length === 0)
      throw new CasError(
        "ImportNotFound",
        `order ${orderId}: CAS lists it without names (ListUserCertificateOrder Domain is empty), so its inputs cannot be filled; declare the resource with its names and adoptOrderId: "${orderId}" instead of importing it`,
      );
    return {
      ...(names.length === 1 ? { domain: names[0]! } : { domains: names }),
      ...(o.ProductCode && o.ProductCode !== INPUT_DEFAULTS.productCode
        ? { productCode: o.ProductCode }
        : {}),
      adoptOrderId: orderId,
    };
  }
  throw new CasError(
    "ImportNotFound",
    `order ${orderId}: CAS lists no such order for these credentials (ListUserCertificateOrder, OrderType CPACK); check the id, and that the provider's credentials are the order's account`,
  );
}
