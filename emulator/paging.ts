// Paged list answers (`CurrentPage`, `ShowSize`): one reading of the two parameters and one slice,
// with each action's own default, maximum and wording as data.
import { invalid } from "./errors";

/** One page of a list: 1-based page number and page size. */
export interface Page {
  page: number;
  size: number;
}

/** How an action pages: its default size and, when it checks them, its limits and their wording. */
export interface PagingRule {
  defaultSize: number;
  /** Absent: the action takes what it is given unchecked (as `ListContact` is documented). */
  check?: { maxSize: number; page: string; size: string };
}

/** The page a request asks for, checked as `rule` says. */
export function readPage(p: Readonly<Record<string, string>>, rule: PagingRule): Page {
  const page = p.CurrentPage ? Number(p.CurrentPage) : 1;
  const size = p.ShowSize ? Number(p.ShowSize) : rule.defaultSize;
  if (rule.check) {
    if (!Number.isInteger(page) || page < 1) throw invalid("CurrentPage", rule.check.page);
    if (!Number.isInteger(size) || size < 1 || size > rule.check.maxSize)
      throw invalid("ShowSize", rule.check.size);
  }
  return { page, size };
}

/** The items of `page`. */
export function pageOf<T>(items: readonly T[], { page, size }: Page): T[] {
  return items.slice((page - 1) * size, page * size);
}
