import { Alert, type ApiTransport, UnauthenticatedHandler } from "@regulars/web-ui";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
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
 * The session the browser's cookie holds now: null when the API knows none (401), undefined when it could not say
 * (the API unreachable or failing), which is no reason to end a session.
 */
async function browserSession(): Promise<StaffSession | null | undefined> {
  const r = await fetch("/auth/session", { credentials: "same-origin" }).catch(() => undefined);
  if (r?.status === 401) return null;
  return r?.ok ? ((await r.json().catch(() => undefined)) as StaffSession | undefined) : undefined;
}

/**
 * The signed-in person: the httpOnly cookie proves who they are, the CSRF token that each call is the app's own.
 * When the API stops knowing them (the cookie expired, or they signed out in another tab), the session ends
 * here too and the app asks them to sign in again, saying why. When another tab signed in again, the cookie is
 * that tab's new session: this tab takes it up (its CSRF token) and carries on, rather than asking for a password
 * whose sign-in would in turn replace the other tab's session.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation("ui");
  // One state, so ending a session only when there is one stays a pure update: a refusal that arrives
  // after signing out (a query still in flight) must not say the session ended.
  const [state, setState] = useState<{ session: StaffSession | null; ended: boolean }>({ session: null, ended: false });
  const [loading, setLoading] = useState(true);
  const { session, ended } = state;
  // Every call refused at once reports it: one look at the browser's session answers them all.
  const checking = useRef<Promise<void> | null>(null);
  const expire = useCallback((refused: ApiTransport) => {
    const token = refused.kind === "session" ? refused.csrfToken : undefined;
    checking.current ??= browserSession()
      .then((current) => {
        if (current === undefined) return;
        setState((s) => {
          // Signed out here meanwhile, or a session taken up since: a late refusal of the old one says nothing.
          if (!s.session || s.session.csrfToken !== token) return s;
          // A new session (a new CSRF token) is adopted; the ApiProvider keyed by the token asks everything again.
          if (current && current.csrfToken !== token) return { session: current, ended: false };
          return { session: null, ended: true };
        });
      })
      .finally(() => {
        checking.current = null;
      });
  }, []);

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
