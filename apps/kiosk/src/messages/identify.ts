import type { Messages } from "@regulars/web-ui";

const en = {
  title: "Sign in",
  how: "How would you like to sign in?",
  method: { app: "App QR code", phone: "Phone number", card: "Loyalty card" },
  label: { app: "Code from the app", phone: "Phone number", card: "Card number" },
  hint: {
    app: "Show the QR code from the app to the camera, or type the code printed under it.",
    phone: "With the country code, for example +48 600 100 200.",
    card: "The number printed on your card.",
  },
  scanHint: "Hold the QR code from the app in front of the camera.",
  keypad: "Number keypad",
  erase: "Delete the last character",
  checking: "Checking…",
  continue: "Continue",
  guest: "Continue without signing in",
  join: {
    title: "New here? Join and collect points",
    intro: "Join with {{phone}} and this order already earns points.",
    sms: "Text me offers (SMS)",
    smsHint: "Only if you tick this. You can stop them at any time.",
    join: "Join with this number",
    joining: "Joining…",
    guest: "Continue as a guest",
  },
  failure: {
    phoneNotFound: "We could not find you. Check the number, or join with it below.",
    phoneNotValid: "We could not find you, and this is not a valid phone number. Check the number and try again.",
    not_found: "We could not find you. Check the number, or continue as a guest.",
    token_invalid: "This code is not valid here. Show a fresh code from the app.",
    token_expired: "This code has expired. Show a fresh code from the app.",
    token_used: "This code was used already. Show a fresh code from the app.",
    invalid_request: "That does not look right. Check what you typed.",
  },
  joinFailure: {
    not_found: "This number cannot join here. Please ask a member of staff.",
    invalid_request: "That does not look like a phone number. Check it and try again.",
    rate_limited: "We could not sign you up just now. Try again in a moment, or continue as a guest.",
    unavailable: "We could not sign you up just now. Try again in a moment, or continue as a guest.",
    unreachable: "We could not sign you up just now. Try again in a moment, or continue as a guest.",
  },
};

const pl: typeof en = {
  title: "Zaloguj się",
  how: "Jak chcesz się zalogować?",
  method: { app: "Kod QR z aplikacji", phone: "Numer telefonu", card: "Karta lojalnościowa" },
  label: { app: "Kod z aplikacji", phone: "Numer telefonu", card: "Numer karty" },
  hint: {
    app: "Pokaż kod QR z aplikacji do kamery albo wpisz kod wydrukowany pod nim.",
    phone: "Z kodem kraju, na przykład +48 600 100 200.",
    card: "Numer wydrukowany na karcie.",
  },
  scanHint: "Przyłóż kod QR z aplikacji do kamery.",
  keypad: "Klawiatura numeryczna",
  erase: "Usuń ostatni znak",
  checking: "Sprawdzanie…",
  continue: "Dalej",
  guest: "Kontynuuj bez logowania",
  join: {
    title: "Jesteś tu pierwszy raz? Dołącz i zbieraj punkty",
    intro: "Dołącz z numerem {{phone}}, a już to zamówienie zbierze punkty.",
    sms: "Wysyłaj mi oferty (SMS)",
    smsHint: "Tylko jeśli to zaznaczysz. Możesz zrezygnować w każdej chwili.",
    join: "Dołącz z tym numerem",
    joining: "Dołączanie…",
    guest: "Kontynuuj jako gość",
  },
  failure: {
    phoneNotFound: "Nie znaleźliśmy Cię. Sprawdź numer albo dołącz z nim poniżej.",
    phoneNotValid: "Nie znaleźliśmy Cię, a to nie jest poprawny numer telefonu. Sprawdź numer i spróbuj ponownie.",
    not_found: "Nie znaleźliśmy Cię. Sprawdź numer albo zamów jako gość.",
    token_invalid: "Ten kod nie jest tu ważny. Pokaż nowy kod z aplikacji.",
    token_expired: "Ten kod wygasł. Pokaż nowy kod z aplikacji.",
    token_used: "Ten kod został już użyty. Pokaż nowy kod z aplikacji.",
    invalid_request: "To nie wygląda poprawnie. Sprawdź, co wpisano.",
  },
  joinFailure: {
    not_found: "Z tym numerem nie można tu dołączyć. Poproś o pomoc obsługę.",
    invalid_request: "To nie wygląda na numer telefonu. Sprawdź go i spróbuj ponownie.",
    rate_limited: "Nie udało się teraz Cię zapisać. Spróbuj za chwilę albo kontynuuj jako gość.",
    unavailable: "Nie udało się teraz Cię zapisać. Spróbuj za chwilę albo kontynuuj jako gość.",
    unreachable: "Nie udało się teraz Cię zapisać. Spróbuj za chwilę albo kontynuuj jako gość.",
  },
};

export const identifyMessages: Messages<typeof en> = { en, pl };
