import { ApiProvider, FormatProvider, Spinner } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import { BrowserRouter } from "react-router";
import { SessionProvider, useSession } from "./session.tsx";
import { Shell } from "./shell.tsx";
import { SignIn } from "./sign-in.tsx";

export function App() {
  return (
    <SessionProvider>
      <Signed />
    </SessionProvider>
  );
}

function Signed() {
  const { session, loading } = useSession();
  const { t } = useTranslation("common");
  if (loading) return <Spinner label={t("loading")} />;
  if (!session) return <SignIn />;
  return (
    // A new session (another person, another tenant) gets a fresh client and an empty query cache.
    <ApiProvider key={session.csrfToken} transport={{ kind: "session", csrfToken: session.csrfToken }}>
      <FormatProvider tenant={session.tenant}>
        <BrowserRouter basename="/app">
          <Shell />
        </BrowserRouter>
      </FormatProvider>
    </ApiProvider>
  );
}
