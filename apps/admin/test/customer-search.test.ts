import type { AppRouter } from "@regulars/api-client";
import { InfiniteQueryObserver, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { describe, expect, it } from "vitest";
import { customerSearchOptions, customersFound } from "../src/ui/customer-search.ts";

type SearchInput = { query: string; cursor?: string | null };

/** A server whose search finds `matching` customers, answering 20 a page from the cursor on, as the real one does. */
function searchServer(matching: number) {
  const ids = Array.from({ length: matching }, (_, i) => `cus_${String(i).padStart(10, "0")}`);
  const asked: SearchInput[] = [];
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        const input = op.input as SearchInput;
        asked.push({ query: input.query, cursor: input.cursor ?? null });
        const from = input.cursor ? ids.indexOf(input.cursor) + 1 : 0;
        const items = ids.slice(from, from + 20).map((id) => ({ id, name: `Anna ${id}` }));
        const nextCursor = from + 20 < ids.length ? items.at(-1)!.id : null;
        observer.next({ result: { type: "data", data: { items, nextCursor } } });
        observer.complete();
      });
  const queryClient = new QueryClient();
  const trpc = createTRPCOptionsProxy<AppRouter>({ client: createTRPCClient({ links: [link] }), queryClient });
  const search = (query: string) => new InfiniteQueryObserver(queryClient, customerSearchOptions(trpc, query));
  return { search, asked };
}

describe("a customer search, as the customers page and a coupon's issue card show it", () => {
  it("shows the first 20 customers found, and the rest page by page from where the last page ended", async () => {
    const server = searchServer(45);
    const found = server.search("anna");
    await found.refetch();
    let shown = found.getCurrentResult();
    expect(customersFound(shown.data)).toHaveLength(20);
    expect(shown.hasNextPage).toBe(true);

    shown = await found.fetchNextPage();
    shown = await found.fetchNextPage();
    const customers = customersFound(shown.data);
    expect(customers).toHaveLength(45);
    expect(new Set(customers.map((c) => c.id)).size).toBe(45);
    expect(shown.hasNextPage).toBe(false);
    expect(server.asked).toEqual([
      { query: "anna", cursor: null },
      { query: "anna", cursor: "cus_0000000019" },
      { query: "anna", cursor: "cus_0000000039" },
    ]);
  });

  it("offers no more when one page holds everyone found", async () => {
    const server = searchServer(3);
    const found = server.search("anna");
    await found.refetch();
    const shown = found.getCurrentResult();
    expect(customersFound(shown.data)).toHaveLength(3);
    expect(shown.hasNextPage).toBe(false);
  });
});
