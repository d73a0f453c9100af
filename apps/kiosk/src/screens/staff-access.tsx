import { Button, Field, Input } from "@regulars/web-ui";
import { Settings } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { confirmsDeviceReset } from "../device.ts";
import { KioskDialog } from "../ui.tsx";

/** Long enough that a customer leaning on the corner or tapping about never opens it by chance. */
export const STAFF_HOLD_MS = 3000;

/**
 * For staff: held down for 3 s, a discreet corner opens the device settings; resetting (forgetting the key and
 * store) then asks for the kiosk key's prefix as the admin app lists it, which no customer knows.
 */
export function StaffAccess({ apiKey, onReset }: { apiKey: string; onReset: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const release = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  const press = () => {
    release();
    timer.current = setTimeout(() => {
      setTyped("");
      setOpen(true);
    }, STAFF_HOLD_MS);
  };
  useEffect(() => release, []);
  const confirmed = confirmsDeviceReset(typed, apiKey);

  return (
    <>
      <button
        type="button"
        aria-label={t("settings.corner")}
        className="fixed right-0 bottom-0 flex h-20 w-20 touch-none select-none items-end justify-end p-3 text-slate-300 focus-visible:outline-2 focus-visible:outline-emerald-700"
        onPointerDown={press}
        onPointerUp={release}
        onPointerLeave={release}
        onPointerCancel={release}
        onContextMenu={(e) => e.preventDefault()}
        onKeyDown={(e) => {
          if ((e.key === "Enter" || e.key === " ") && !e.repeat) {
            e.preventDefault();
            press();
          }
        }}
        onKeyUp={release}
      >
        <Settings aria-hidden className="h-6 w-6" />
      </button>
      <KioskDialog
        open={open}
        onOpenChange={setOpen}
        title={t("settings.title")}
        description={t("settings.description")}
        actions={
          <>
            <Field label={<span className="text-2xl">{t("settings.keyPrefix")}</span>}>
              {({ id }) => (
                <Input
                  id={id}
                  autoComplete="off"
                  spellCheck={false}
                  className="min-h-16 font-mono text-2xl"
                  value={typed}
                  onChange={(e) => setTyped(e.target.value)}
                />
              )}
            </Field>
            <Button size="xl" tone="danger" className="min-h-20 text-3xl" disabled={!confirmed} onClick={onReset}>
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
