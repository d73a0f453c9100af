import { Button } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import { LanguageButtons } from "../ui.tsx";
import { StaffAccess } from "./staff-access.tsx";

export function StartScreen({
  tenantName,
  onIdentify,
  onGuest,
  apiKey,
  onReset,
}: {
  tenantName: string;
  apiKey: string;
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
      <StaffAccess apiKey={apiKey} onReset={onReset} />
    </>
  );
}
