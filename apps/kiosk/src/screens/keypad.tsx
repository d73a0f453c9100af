import { Button } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";

const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0"];

/** Digits for a touch screen without a keyboard; a physical keyboard types into the field directly. */
export function Keypad({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation("identify");
  return (
    <fieldset className="grid grid-cols-3 gap-4 short:gap-3">
      <legend className="sr-only">{t("keypad")}</legend>
      {keys.map((k) => (
        <Button
          key={k}
          tone="secondary"
          size="xl"
          className="min-h-24 border-2 text-4xl short:min-h-16 short:text-3xl"
          onClick={() => onChange(value + k)}
        >
          {k}
        </Button>
      ))}
      <Button
        tone="secondary"
        size="xl"
        className="min-h-24 border-2 text-3xl short:min-h-16"
        aria-label={t("erase")}
        onClick={() => onChange(value.slice(0, -1))}
      >
        ⌫
      </Button>
    </fieldset>
  );
}
