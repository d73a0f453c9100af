import { Alert, UnauthenticatedHandler } from "@regulars/web-ui";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { StaffRole } from "./pages.ts";

/** What `/auth/sign-in` and `/auth/session` answer. */
export interface StaffSession {
  staff: { id: string; email: string; name: string; role: StaffRole };
  tenant: { id: string; name: string; currency: string; timezone: string };
  csrfToken: string;
}

export type SignInResult = { ok: true } | { ok: false; status: number; message: string; retryAfter?: number };

interface SessionState {
  session: StaffSession | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<SignInResult>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}

/**
 * The signed-in person: the httpOnly cookie proves who they are, the CSRF token that each call is the app's own.
 * When the API stops knowing them (the cookie expired, or they signed out in another tab), the session ends
 * here too and the app asks them to sign in again, saying why.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation("ui");
  // One state, so ending a session only when there is one stays a pure update: a refusal that arrives
  // after signing out (a query still in flight) must not say the session ended.
  const [state, setState] = useState<{ session: StaffSession | null; ended: boolean }>({ session: null, ended: false });
  const [loading, setLoading] = useState(true);
  const { session, ended } = state;
  const expire = useCallback(() => setState((s) => (s.session ? { session: null, ended: true } : s)), []);

  useEffect(() => {
    fetch("/auth/session", { credentials: "same-origin" })
      .then(async (r) => setState({ session: r.ok ? ((await r.json()) as StaffSession) : null, ended: false }))
      .catch(() => setState({ session: null, ended: false }))
      .finally(() => setLoading(false));
  }, []);

  const signIn = useCallback(async (email: string, password: string): Promise<SignInResult> => {
    const r = await fetch("/auth/sign-in", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (r.ok) {
      setState({ session: (await r.json()) as StaffSession, ended: false });
      return { ok: true };
    }
    const body = (await r.json().catch(() => ({}))) as { message?: string };
    const retryAfter = Number(r.headers.get("retry-after")) || undefined;
    return { ok: false, status: r.status, message: body.message ?? r.statusText, retryAfter };
  }, []);

  const signOut = useCallback(async () => {
    if (session)
      await fetch("/auth/sign-out", {
        method: "POST",
        credentials: "same-origin",
        headers: { "x-csrf-token": session.csrfToken },
      }).catch(() => undefined);
    setState({ session: null, ended: false });
  }, [session]);

  return (
    <SessionContext.Provider value={{ session, loading, signIn, signOut }}>
      {ended && (
        <div className="fixed inset-x-0 top-4 mx-auto w-fit max-w-[90vw]">
          <Alert tone="info">{t("sessionEnded")}</Alert>
        </div>
      )}
      <UnauthenticatedHandler onUnauthenticated={expire}>{children}</UnauthenticatedHandler>
    </SessionContext.Provider>
  );
}
