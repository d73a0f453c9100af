import type { AppRouter } from "@regulars/api-client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";

/** What each procedure takes and answers, for components that name them (`RouterOutputs["audit"]["list"]`). */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * How the apps reach the API. The admin app signs people in with a session cookie and proves each call is
 * its own with the CSRF token the sign-in returned; the kiosk is a device and sends its API key.
 */
export type ApiTransport = { kind: "session"; csrfToken: string } | { kind: "key"; apiKey: string };

export function createApiClient(transport: ApiTransport, url = "/trpc"): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        headers: () =>
          transport.kind === "session"
            ? { "x-csrf-token": transport.csrfToken }
            : { authorization: `Bearer ${transport.apiKey}` },
        fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
      }),
    ],
  });
}

/** TanStack Query and the typed tRPC hooks for everything below; one client per transport. */
export function ApiProvider({ transport, children }: { transport: ApiTransport; children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // Refused input and permission errors will not change by asking again.
          queries: { retry: (count, err) => count < 2 && !isClientFault(err), staleTime: 15_000 },
        },
      }),
  );
  const [trpcClient] = useState(() => createApiClient(transport));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function isClientFault(err: unknown): boolean {
  const status = (err as { data?: { httpStatus?: number } })?.data?.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500;
}
