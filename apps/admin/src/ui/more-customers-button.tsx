import { Button } from "@regulars/web-ui";
import type { ReactNode } from "react";
import type { useCustomerSearch } from "./customer-search.ts";

type CustomerSearch = ReturnType<typeof useCustomerSearch>;

/**
 * Loads a customer search's next page, shown only while there is one. Disabled while a page loads: a second click
 * would ask for the same page again.
 */
export function MoreCustomersButton({
  found,
  children,
}: {
  found: Pick<CustomerSearch, "hasNextPage" | "isFetchingNextPage" | "fetchNextPage">;
  children: ReactNode;
}) {
  if (!found.hasNextPage) return null;
  return (
    <Button
      tone="secondary"
      className="mt-3"
      disabled={found.isFetchingNextPage}
      onClick={() => void found.fetchNextPage()}
    >
      {children}
    </Button>
  );
}
