import { Alert, Button, LanguageSwitch } from "@regulars/web-ui";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "./session.tsx";
import { TextField } from "./ui/fields.tsx";

export function SignIn() {
  const { t } = useTranslation("common");
  const { signIn } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(email, password);
      if (!result.ok)
        setError(
          result.status === 429
            ? t("signIn.throttled", { seconds: result.retryAfter ?? 60 })
            : result.status === 401
              ? t("signIn.wrong")
              : result.message,
        );
    } catch {
      setError(t("unreachable"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} className="flex w-full max-w-sm flex-col gap-4 rounded-lg bg-white p-8 shadow" noValidate>
        <div className="flex items-center justify-between">
          <h1 className="text-2xl font-semibold text-slate-900">{t("signIn.title")}</h1>
          <LanguageSwitch />
        </div>
        <TextField
          label={t("signIn.email")}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={setEmail}
        />
        <TextField
          label={t("signIn.password")}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
        />
        {error && <Alert>{error}</Alert>}
        <Button type="submit" disabled={busy || !email || !password}>
          {t("signIn.submit")}
        </Button>
      </form>
    </main>
  );
}
