import { Button } from "@regulars/web-ui";
import { AlertDialog } from "radix-ui";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A question that needs an answer before anything else, sized for fingers. */
export function KioskDialog({
  open,
  title,
  description,
  actions,
  onOpenChange,
}: {
  open: boolean;
  title: ReactNode;
  description: ReactNode;
  actions: ReactNode;
  onOpenChange?: (open: boolean) => void;
}) {
  return (
    <AlertDialog.Root open={open} {...(onOpenChange ? { onOpenChange } : {})}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 bg-slate-900/60" />
        <AlertDialog.Content className="fixed top-1/2 left-1/2 w-[min(52rem,92vw)] -translate-x-1/2 -translate-y-1/2 rounded-2xl bg-white p-12 text-slate-900 shadow-2xl">
          <AlertDialog.Title className="text-5xl font-bold">{title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-6 text-3xl text-slate-800">{description}</AlertDialog.Description>
          <div className="mt-10 flex flex-col gap-4">{actions}</div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

/** English and Polish as two big buttons: a select is too fiddly on a touch screen. */
export function LanguageButtons() {
  const { i18n, t } = useTranslation();
  const choices = [
    { lang: "en", label: "English" },
    { lang: "pl", label: "Polski" },
  ];
  return (
    <fieldset className="flex items-center gap-4">
      <legend className="sr-only">{t("language")}</legend>
      {choices.map((c) => (
        <Button
          key={c.lang}
          size="xl"
          tone={i18n.language === c.lang ? "primary" : "secondary"}
          className="min-h-16 min-w-40 text-2xl"
          lang={c.lang}
          aria-pressed={i18n.language === c.lang}
          onClick={() => void i18n.changeLanguage(c.lang)}
        >
          {c.label}
        </Button>
      ))}
    </fieldset>
  );
}

export function ScreenHeading({ children }: { children: ReactNode }) {
  return <h1 className="text-5xl font-bold text-slate-900 short:text-4xl">{children}</h1>;
}

/** An error (announced at once) or a status (announced politely), in kiosk-sized type. */
export function Notice({ tone = "error", children }: { tone?: "error" | "info"; children: ReactNode }) {
  const styles = tone === "error" ? "border-red-700 bg-red-50 text-red-900" : "border-sky-700 bg-sky-50 text-sky-950";
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={`rounded-xl border-2 px-6 py-4 text-2xl short:px-4 short:py-2 short:text-xl ${styles}`}
    >
      {children}
    </div>
  );
}
