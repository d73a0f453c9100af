import type { Messages } from "@regulars/web-ui";

// The shell, the start screen and what every screen shares (the header, the idle question, device settings).
const en = {
  language: "Language",
  loading: "Loading…",
  unavailable: "This kiosk is not available right now",
  tryAgain: "Try again",
  cancelOrder: "Cancel order",
  customer: {
    label: "Customer",
    hello: "Hi, {{name}}!",
    member: "member",
    tier: "Tier: {{tier}}",
    points: "Points: {{formatted}}",
    wallet: "Wallet: {{amount}}",
    guest: "Ordering as a guest",
  },
  start: {
    welcome: "Welcome to {{name}}",
    intro: "Order here and collect points with every visit.",
    identify: "Sign in to collect points",
    guest: "Order without signing in",
  },
  settings: {
    corner: "Staff: hold for 3 seconds",
    title: "Device settings",
    description:
      "For staff: forget this kiosk's key and store, and set the device up again. To confirm, type the key's " +
      "prefix as the admin app lists it under API keys (rk_kiosk_ and four more characters).",
    keyPrefix: "Kiosk key prefix",
    reset: "Reset device",
    close: "Close",
  },
  idle: {
    title: "Are you still there?",
    description: "Your order will be cleared in {{seconds}} s.",
    stay: "I'm still here",
    leave: "Start over",
  },
};

const pl: typeof en = {
  language: "Język",
  loading: "Ładowanie…",
  unavailable: "Ten kiosk jest teraz niedostępny",
  tryAgain: "Spróbuj ponownie",
  cancelOrder: "Anuluj zamówienie",
  customer: {
    label: "Klient",
    hello: "Cześć, {{name}}!",
    member: "kliencie",
    tier: "Poziom: {{tier}}",
    points: "Punkty: {{formatted}}",
    wallet: "Portfel: {{amount}}",
    guest: "Zamówienie jako gość",
  },
  start: {
    welcome: "Witamy w {{name}}",
    intro: "Zamów tutaj i zbieraj punkty przy każdej wizycie.",
    identify: "Zaloguj się, aby zbierać punkty",
    guest: "Zamów bez logowania",
  },
  settings: {
    corner: "Personel: przytrzymaj 3 sekundy",
    title: "Ustawienia urządzenia",
    description:
      "Dla personelu: zapomnij klucz i sklep tego kiosku i skonfiguruj urządzenie od nowa. Aby potwierdzić, wpisz " +
      "prefiks klucza, tak jak pokazuje go panel administracyjny w kluczach API (rk_kiosk_ i cztery kolejne znaki).",
    keyPrefix: "Prefiks klucza kiosku",
    reset: "Zresetuj urządzenie",
    close: "Zamknij",
  },
  idle: {
    title: "Czy nadal tu jesteś?",
    description: "Zamówienie zostanie wyczyszczone za {{seconds}} s.",
    stay: "Nadal tu jestem",
    leave: "Zacznij od nowa",
  },
};

export const kioskMessages: Messages<typeof en> = { en, pl };
