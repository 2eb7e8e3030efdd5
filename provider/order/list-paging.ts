// How every `ListUserCertificateOrder` look-up of the provider pages the list: one size and one
// bound, so a look-up that gives up says the same thing wherever it runs.
import type { RequestOf, ResponseOf } from "../cas/actions";

/** `ShowSize` of every `ListUserCertificateOrder` page this provider asks for (the API's own default size). */
const LIST_PAGE_SIZE = 50;
/**
 * Pages read at most per listing (1,000 items): a name rarely has more than a few orders or
 * certificates (renewals, other stacks), and the action is limited to 10 calls/s per account.
 */
const LIST_MAX_PAGES = 20;

type ListItem = ResponseOf<"ListUserCertificateOrder">["CertificateOrderList"][number];

/** The call a listing makes (a `CasClient`, or anything that answers the same way). */
export interface ListApi {
  call(
    action: "ListUserCertificateOrder",
    params: RequestOf<"ListUserCertificateOrder">,
  ): Promise<ResponseOf<"ListUserCertificateOrder">>;
}

/**
 * The items of one listing, page by page, up to {@link LIST_MAX_PAGES}: stops at the last page
 * (`TotalCount`) or at an empty one.
 */
export async function* listPages(
  api: ListApi,
  params: { OrderType: "CPACK" | "CERT"; Keyword?: string },
): AsyncGenerator<ListItem[]> {
  for (let page = 1; page <= LIST_MAX_PAGES; page++) {
    const res = await api.call("ListUserCertificateOrder", {
      ...params,
      CurrentPage: page,
      ShowSize: LIST_PAGE_SIZE,
    });
    yield res.CertificateOrderList;
    if (page * LIST_PAGE_SIZE >= res.TotalCount || res.CertificateOrderList.length === 0) return;
  }
}
