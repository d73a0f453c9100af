import type { Channel } from "@regulars/contracts";

/** The contracts' channels as the forms that pick them (rules, coupons) name them, in each language of the app. */
export const channelNames = {
  en: { kiosk: "Kiosk", pos: "Till (POS)", app: "App", web: "Web shop", delivery: "Delivery" },
  pl: { kiosk: "Kiosk", pos: "Kasa (POS)", app: "Aplikacja", web: "Sklep internetowy", delivery: "Dostawa" },
} satisfies Record<"en" | "pl", Record<Channel, string>>;
