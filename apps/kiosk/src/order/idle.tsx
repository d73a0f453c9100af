import { Button } from "@regulars/web-ui";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { idleSeconds } from "../device.ts";
import { KioskDialog } from "../ui.tsx";

/** How long the "are you still there?" question waits for an answer. */
const PROMPT_SECONDS = 10;
const activity = ["pointerdown", "keydown", "touchstart", "wheel"] as const;

/**
 * Clears the order when nobody has touched the kiosk for a while, so the next person never sees the last
 * one's name, points or basket. A question comes first, so a customer reading the menu is not thrown out.
 */
export function IdleGuard({ active, onIdle }: { active: boolean; onIdle: () => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [left, setLeft] = useState(PROMPT_SECONDS);

  useEffect(() => {
    if (!active || asking) return;
    let timer = setTimeout(() => setAsking(true), idleSeconds() * 1000);
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setAsking(true), idleSeconds() * 1000);
    };
    for (const name of activity) window.addEventListener(name, restart, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of activity) window.removeEventListener(name, restart);
    };
  }, [active, asking]);

  useEffect(() => {
    if (!asking) return;
    setLeft(PROMPT_SECONDS);
    const tick = setInterval(() => setLeft((s) => s - 1), 1000);
    return () => clearInterval(tick);
  }, [asking]);

  useEffect(() => {
    if (asking && left <= 0) {
      setAsking(false);
      onIdle();
    }
  }, [asking, left, onIdle]);

  useEffect(() => {
    if (!active) setAsking(false);
  }, [active]);

  return (
    <KioskDialog
      open={asking}
      title={t("idle.title")}
      description={t("idle.description", { seconds: Math.max(left, 0) })}
      actions={
        <>
          <Button size="xl" className="min-h-24 text-3xl" onClick={() => setAsking(false)}>
            {t("idle.stay")}
          </Button>
          <Button
            size="xl"
            tone="secondary"
            className="min-h-24 text-3xl"
            onClick={() => {
              setAsking(false);
              onIdle();
            }}
          >
            {t("idle.leave")}
          </Button>
        </>
      }
    />
  );
}
