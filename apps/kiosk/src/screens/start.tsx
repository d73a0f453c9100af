import { Button } from "@regulars/web-ui";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { KioskDialog, LanguageButtons } from "../ui.tsx";

export function StartScreen({
  tenantName,
  onIdentify,
  onGuest,
  onReset,
}: {
  tenantName: string;
  onIdentify: () => void;
  onGuest: () => void;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <main className="flex flex-1 flex-col items-center justify-center gap-16 p-16 text-center">
        <h1 className="text-7xl font-bold">{t("start.welcome", { name: tenantName })}</h1>
        <p className="max-w-3xl text-4xl text-slate-800">{t("start.intro")}</p>
        <div className="flex w-full max-w-3xl flex-col gap-8">
          <Button size="xl" className="min-h-36 text-5xl" onClick={onIdentify}>
            {t("start.identify")}
          </Button>
          <Button size="xl" tone="secondary" className="min-h-28 border-2 text-4xl" onClick={onGuest}>
            {t("start.guest")}
          </Button>
        </div>
        <LanguageButtons />
      </main>
      <footer className="flex justify-end p-6">
        <DeviceSettings onReset={onReset} />
      </footer>
    </>
  );
}

/** For staff: forgets the key and location, so the setup screen comes back (a new key, another store). */
function DeviceSettings({ onReset }: { onReset: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button tone="ghost" size="xl" className="min-h-14 text-xl text-slate-700" onClick={() => setOpen(true)}>
        {t("settings.open")}
      </Button>
      <KioskDialog
        open={open}
        onOpenChange={setOpen}
        title={t("settings.title")}
        description={t("settings.description")}
        actions={
          <>
            <Button size="xl" tone="danger" className="min-h-20 text-3xl" onClick={onReset}>
              {t("settings.reset")}
            </Button>
            <Button size="xl" tone="secondary" className="min-h-20 text-3xl" onClick={() => setOpen(false)}>
              {t("settings.close")}
            </Button>
          </>
        }
      />
    </>
  );
}
