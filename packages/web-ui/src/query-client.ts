import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isUnauthenticated, mayRetry, retryDelay } from "./errors.ts";

export interface QueryClientOptions {
  /**
   * Called when any query or mutation is refused because the caller is no longer known (a session that
   * expired or was ended elsewhere, a key revoked): every other call would be refused too, so the app
   * leaves for its way of signing in rather than showing the refusal on each card.
   */
  onUnauthenticated?: () => void;
}

export function createQueryClient({ onUnauthenticated }: QueryClientOptions = {}): QueryClient {
  const onError = (err: unknown) => {
    if (onUnauthenticated && isUnauthenticated(err)) onUnauthenticated();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      // Refused input and permission errors will not change by asking again; a rate limit passes, after the wait
      // it asked for (a long one is said at once instead).
      queries: { retry: (count, err) => count < 2 && mayRetry(err), retryDelay, staleTime: 15_000 },
    },
  });
}
