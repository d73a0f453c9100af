import type { AppRouter } from "@regulars/api-client";
import { QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { createContext, type ReactNode, useContext, useState } from "react";
import { UnreadableAnswer } from "./errors.ts";
import { createQueryClient } from "./query-client.ts";

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
        fetch: async (input, init) => keepingStatus(await fetch(input, { ...init, credentials: "same-origin" })),
      }),
    ],
  });
}

/**
 * tRPC's client reads every answer as JSON and, when it is not (a proxy's HTML 502 page), fails with the parser's
 * words and forgets the response: the failure then carries the status, so the apps can say the service is down.
 */
function keepingStatus(response: Response): Response {
  const json = response.json.bind(response);
  return Object.assign(response, {
    json: () =>
      json().catch((cause: unknown) => {
        throw new UnreadableAnswer(response.status, { cause }, response.headers);
      }),
  });
}

const UnauthenticatedContext = createContext<((refused: ApiTransport) => void) | undefined>(undefined);

/**
 * What the API layer below does when the server no longer knows the caller: the admin app ends its session
 * and shows its sign-in screen. It is told which transport was refused, so a late refusal of a client already
 * replaced (a session taken up since) is told from one of the current session. The handler is read once per
 * client, so it should not change between renders.
 */
export function UnauthenticatedHandler({
  onUnauthenticated,
  children,
}: {
  onUnauthenticated: (refused: ApiTransport) => void;
  children: ReactNode;
}) {
  return <UnauthenticatedContext.Provider value={onUnauthenticated}>{children}</UnauthenticatedContext.Provider>;
}

/** TanStack Query and the typed tRPC hooks for everything below; one client per transport. */
export function ApiProvider({ transport, children }: { transport: ApiTransport; children: ReactNode }) {
  const onUnauthenticated = useContext(UnauthenticatedContext);
  const [queryClient] = useState(() =>
    createQueryClient({ onUnauthenticated: onUnauthenticated && (() => onUnauthenticated(transport)) }),
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
