import i18next, { type i18n } from "i18next";
import { initReactI18next, useTranslation } from "react-i18next";
import { uiMessages } from "./messages.ts";

export const languages = ["en", "pl"] as const;
export type Language = (typeof languages)[number];

/** Messages of one area (a page, the shell) in every language; Polish must say everything English says. */
export type Messages<T extends Record<string, unknown> = Record<string, unknown>> = { en: T; pl: T };

const storageKey = "regulars.language";

function initialLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(storageKey);
  if (saved === "en" || saved === "pl") return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith("pl") ? "pl" : "en";
}

/**
 * One i18next instance for an app, with each area's messages in a namespace of its own; the shared pieces'
 * own messages are in `ui`.
 */
export function createI18n(namespaces: Record<string, Messages>): i18n {
  const instance = i18next.createInstance();
  const resources: Record<Language, Record<string, Record<string, unknown>>> = { en: {}, pl: {} };
  for (const [ns, messages] of Object.entries({ ui: uiMessages, ...namespaces })) {
    resources.en[ns] = messages.en;
    resources.pl[ns] = messages.pl;
  }
  void instance.use(initReactI18next).init({
    resources,
    lng: initialLanguage(),
    fallbackLng: "en",
    defaultNS: "common",
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
    // A key the code uses but no language has shows as the key itself; say so where developers and tests look.
    saveMissing: true,
    missingKeyHandler: (lngs, ns, key) => console.warn(`missing translation: ${ns}:${key} (${lngs.join(", ")})`),
  });
  instance.on("languageChanged", (lng) => {
    globalThis.localStorage?.setItem(storageKey, lng);
    document.documentElement.lang = lng;
  });
  document.documentElement.lang = instance.language;
  return instance;
}

export function LanguageSwitch({ className = "" }: { className?: string }) {
  const { i18n, t } = useTranslation("common");
  return (
    <label className={`flex items-center gap-2 text-sm ${className}`}>
      <span className="sr-only">{t("language")}</span>
      <select
        className="rounded border border-slate-300 bg-white px-2 py-1 text-slate-900"
        value={i18n.language}
        onChange={(e) => void i18n.changeLanguage(e.target.value)}
      >
        <option value="en">English</option>
        <option value="pl">Polski</option>
      </select>
    </label>
  );
}
