import { type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useInfiniteQuery } from "@tanstack/react-query";

type SearchPage = RouterOutputs["customers"]["search"];
export type FoundCustomer = SearchPage["items"][number];

/**
 * A customer search page by page. A common name finds more customers than one page holds; the older ones follow
 * from where the last page ended (its `nextCursor`, null on the last page).
 */
export function customerSearchOptions(trpc: ReturnType<typeof useTRPC>, query: string) {
  return trpc.customers.search.infiniteQueryOptions(
    { query },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
}

/** The customers on the pages loaded so far, newest first as the server lists them. */
export const customersFound = (data: { pages: SearchPage[] } | undefined): FoundCustomer[] =>
  data?.pages.flatMap((page) => page.items) ?? [];

/**
 * The customers page and a coupon's issue card search alike; `enabled` is theirs to choose, since the customers
 * page sends a query too short for the server to name it at the field.
 */
export function useCustomerSearch(query: string, enabled: boolean) {
  const trpc = useTRPC();
  return useInfiniteQuery({ ...customerSearchOptions(trpc, query), enabled });
}
