import { Alert, Button, createApiClient, describeError, Field, Input } from "@regulars/web-ui";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Device, locationIdPattern, saveDevice } from "../device.ts";
import { ScreenHeading } from "../ui.tsx";

/** Staff paste the kiosk's key once; it is tried against the API before it is kept. */
export function SetupScreen({ onSaved }: { onSaved: (device: Device) => void }) {
  const { t } = useTranslation("setup");
  const [apiKey, setApiKey] = useState("");
  const [locationId, setLocationId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!locationIdPattern.test(locationId.trim())) return setError(t("badLocation"));
    setChecking(true);
    setError(null);
    try {
      const me = await createApiClient({ kind: "key", apiKey: apiKey.trim() }).tenants.me.query();
      if (me.role !== "kiosk") return setError(t("notKioskKey", { role: me.role }));
      const device = { apiKey: apiKey.trim(), locationId: locationId.trim() };
      saveDevice(device);
      onSaved(device);
    } catch (err) {
      setError(`${t("keyRefused")} ${describeError(err)}`);
    } finally {
      setChecking(false);
    }
  }

  return (
    <main className="mx-auto flex min-h-screen max-w-4xl flex-col justify-center gap-10 p-16 text-2xl">
      <ScreenHeading>{t("title")}</ScreenHeading>
      <p className="text-slate-800">{t("intro")}</p>
      <form onSubmit={save} className="flex flex-col gap-8">
        <Field label={<span className="text-2xl">{t("key")}</span>}>
          {({ id }) => (
            <Input
              id={id}
              required
              autoComplete="off"
              spellCheck={false}
              className="min-h-16 font-mono text-2xl"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
          )}
        </Field>
        <Field
          label={<span className="text-2xl">{t("location")}</span>}
          hint={<span className="text-xl">{t("locationHint")}</span>}
        >
          {({ id }) => (
            <Input
              id={id}
              required
              autoComplete="off"
              className="min-h-16 text-2xl"
              value={locationId}
              onChange={(e) => setLocationId(e.target.value)}
            />
          )}
        </Field>
        {error && <Alert>{error}</Alert>}
        <Button type="submit" size="xl" disabled={checking}>
          {checking ? t("checking") : t("save")}
        </Button>
      </form>
      <p className="text-xl text-slate-800">{t("resetLater")}</p>
    </main>
  );
}
