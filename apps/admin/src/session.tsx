import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
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

/** The signed-in person: the httpOnly cookie proves who they are, the CSRF token that each call is the app's own. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StaffSession | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    fetch("/auth/session", { credentials: "same-origin" })
      .then(async (r) => setSession(r.ok ? ((await r.json()) as StaffSession) : null))
      .catch(() => setSession(null))
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
      setSession((await r.json()) as StaffSession);
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
    setSession(null);
  }, [session]);

  return <SessionContext.Provider value={{ session, loading, signIn, signOut }}>{children}</SessionContext.Provider>;
}
