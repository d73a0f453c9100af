import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Brand",
  title: "Brand settings",
  brand: "Brand",
  name: "Name",
  timezone: "Time zone",
  currency: "Currency",
  fixed: "Set when the brand was created: dates, points and money depend on them.",
  languageCard: "Language",
  language: "Language customers are written in",
  languageHint:
    "For customers whose profile names no language of its own: the one-time code at the till, and which variant of a message template they get when it has none in theirs.",
  save: "Save",
  saved: "Saved. Customers without a language of their own now get their messages in {{language}}.",
  capsCard: "Frequency caps across campaigns",
  capsHint:
    "The most messages one customer gets from all campaigns together, on top of each campaign's own caps. One-time codes at the till are never capped.",
  noCaps: "No caps: only each campaign's own limits apply.",
  saveCaps: "Update caps",
  capsSaved: "Saved. Campaigns keep to the new caps within a minute.",
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Marka",
    title: "Ustawienia marki",
    brand: "Marka",
    name: "Nazwa",
    timezone: "Strefa czasowa",
    currency: "Waluta",
    fixed: "Ustalone przy zakładaniu marki: zależą od nich daty, punkty i kwoty.",
    languageCard: "Język",
    language: "Język, w którym piszemy do klientów",
    languageHint:
      "Dla klientów, których profil nie podaje własnego języka: jednorazowy kod przy kasie oraz wariant szablonu wiadomości, gdy nie ma go w ich języku.",
    save: "Zapisz",
    saved: "Zapisano. Klienci bez własnego języka dostają teraz wiadomości w języku: {{language}}.",
    capsCard: "Limity częstotliwości dla wszystkich kampanii",
    capsHint:
      "Najwięcej wiadomości, jakie jeden klient dostaje ze wszystkich kampanii razem, oprócz limitów każdej kampanii. Jednorazowe kody przy kasie nigdy nie są ograniczane.",
    noCaps: "Brak limitów: obowiązują tylko limity poszczególnych kampanii.",
    saveCaps: "Zapisz limity",
    capsSaved: "Zapisano. Kampanie stosują nowe limity w ciągu minuty.",
  },
};
