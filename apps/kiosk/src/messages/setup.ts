import type { Messages } from "@regulars/web-ui";

const en = {
  title: "Set up this kiosk",
  intro: "Paste the kiosk's API key (an admin creates one with the kiosk role) and the id of the store it stands in.",
  key: "Kiosk API key",
  location: "Location id",
  locationHint: "As the tills post it, for example store-001.",
  badLocation: "A location id is 1 to 64 letters, digits, '-' or '_'.",
  notKioskKey: "This is a {{role}} key; a kiosk needs a key with the kiosk role.",
  keyRefused: "The key was not accepted.",
  checking: "Checking the key…",
  save: "Save and start",
  resetLater:
    "To set the kiosk up again later, hold the gear in the bottom-right corner of the start screen for 3 seconds " +
    "and type this key's prefix (rk_kiosk_ and the next four characters).",
};

const pl: typeof en = {
  title: "Konfiguracja kiosku",
  intro: "Wklej klucz API kiosku (administrator tworzy go z rolą kiosk) i identyfikator sklepu, w którym stoi.",
  key: "Klucz API kiosku",
  location: "Identyfikator lokalizacji",
  locationHint: "Taki, jak wysyłają go kasy, na przykład store-001.",
  badLocation: "Identyfikator lokalizacji to od 1 do 64 liter, cyfr, '-' lub '_'.",
  notKioskKey: "To klucz z rolą {{role}}; kiosk potrzebuje klucza z rolą kiosk.",
  keyRefused: "Klucz nie został przyjęty.",
  checking: "Sprawdzanie klucza…",
  save: "Zapisz i uruchom",
  resetLater:
    "Aby później skonfigurować kiosk od nowa, przytrzymaj koło zębate w prawym dolnym rogu ekranu startowego przez " +
    "3 sekundy i wpisz prefiks tego klucza (rk_kiosk_ i cztery kolejne znaki).",
};

export const setupMessages: Messages<typeof en> = { en, pl };
