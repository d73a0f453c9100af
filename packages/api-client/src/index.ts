import type { AppRouter } from "@regulars/api";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

export { TRPCClientError } from "@trpc/client";

export type { AppRouter };
export type RegularsClient = TRPCClient<AppRouter>;

/**
 * The typed client the admin and kiosk apps use. Plain JSON on the wire (no transformer), so any
 * HTTP client can call the same procedures.
 */
export function createRegularsClient(opts: { url: string; apiKey: string; fetch?: typeof fetch }): RegularsClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: opts.url,
        headers: () => ({ authorization: `Bearer ${opts.apiKey}` }),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    ],
  });
}
