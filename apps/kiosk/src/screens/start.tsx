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
      <main
        className={[
          "flex min-h-0 flex-1 flex-col items-center justify-center gap-16",
          "overflow-y-auto p-16 text-center short:gap-8 short:p-8",
        ].join(" ")}
      >
        <h1 className="text-7xl font-bold short:text-5xl">{t("start.welcome", { name: tenantName })}</h1>
        <p className="max-w-3xl text-4xl text-slate-800 short:text-3xl">{t("start.intro")}</p>
        <div className="flex w-full max-w-3xl flex-col gap-8 short:gap-5">
          <Button size="xl" className="min-h-36 text-5xl short:min-h-28 short:text-4xl" onClick={onIdentify}>
            {t("start.identify")}
          </Button>
          <Button
            size="xl"
            tone="secondary"
            className="min-h-28 border-2 text-4xl short:min-h-20 short:text-3xl"
            onClick={onGuest}
          >
            {t("start.guest")}
          </Button>
        </div>
        <LanguageButtons />
      </main>
      <StaffAccess apiKey={apiKey} onReset={onReset} />
    </>
  );
}
