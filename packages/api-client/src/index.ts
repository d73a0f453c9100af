import type { AppRouter } from "@regulars/procedures";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

export { TRPCClientError } from "@trpc/client";

export type { AppRouter };

/**
 * `customers.get` answers admin keys with the full view and kiosk/POS keys with the till view (first name,
 * tier, points, wallet). The admin app reads it through this, which refuses a till view rather than showing
 * a half-empty screen.
 */
export function asAdminView<T extends { view: string }>(customer: T): Extract<T, { view: "admin" }> {
  if (customer.view !== "admin")
    throw new Error("expected the admin view of a customer: call customers.get with an admin key");
  return customer as Extract<T, { view: "admin" }>;
}
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
