import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { messages } from "../src/pages/dashboard/messages.ts";

async function translator(lng: "en" | "pl") {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng,
    resources: { en: { dashboard: messages.en }, pl: { dashboard: messages.pl } },
    interpolation: { escapeValue: false },
  });
  return i18n.getFixedT(lng, "dashboard");
}

type T = Awaited<ReturnType<typeof translator>>;
const locations = (t: T, count: number) => t("locations.summary", { count, total: "€10.00", list: "store-001 €10.00" });
const tiers = (t: T, count: number) =>
  t("tiers.summary", { count, members: String(count), days: 90, asOf: "7 Dec", list: "Gold 1" });
const points = (t: T, count: number) =>
  t("points.summary", {
    count,
    periods: count,
    earned: "0",
    reversed: "0",
    redeemed: "0",
    returned: "0",
    expired: "0",
    rate: "n/a",
  });

describe("the dashboard's summaries, counted in the staff's language", () => {
  it("say one location, member and period, and many, in English", async () => {
    const en = await translator("en");
    expect(locations(en, 1)).toBe("Revenue at 1 location, €10.00 in all: store-001 €10.00.");
    expect(locations(en, 2)).toBe("Revenue at 2 locations, €10.00 in all: store-001 €10.00.");
    expect(tiers(en, 1)).toMatch(/^1 active member \(a sale in the last 90 days\), in the tier they held on 7 Dec/);
    expect(tiers(en, 2)).toMatch(/^2 active members \(a sale in the last 90 days\), each in the tier/);
    expect(points(en, 1)).toContain("over 1 period.");
    expect(points(en, 30)).toContain("over 30 periods.");
  });

  it("use each of Polish's forms", async () => {
    const pl = await translator("pl");
    expect([1, 3, 5, 22].map((n) => locations(pl, n))).toEqual([
      "Przychód w 1 lokalu, łącznie €10.00: store-001 €10.00.",
      "Przychód w 3 lokalach, łącznie €10.00: store-001 €10.00.",
      "Przychód w 5 lokalach, łącznie €10.00: store-001 €10.00.",
      "Przychód w 22 lokalach, łącznie €10.00: store-001 €10.00.",
    ]);
    expect(tiers(pl, 1)).toMatch(/^1 aktywny członek \(zakup w ostatnich 90 dniach\), na poziomie/);
    expect(tiers(pl, 5)).toMatch(/^5 aktywnych członków \(zakup w ostatnich 90 dniach\), każdy na poziomie/);
    expect([1, 2, 12].map((n) => points(pl, n).match(/w \d+ \p{L}+/u)?.[0])).toEqual([
      "w 1 okresie",
      "w 2 okresach",
      "w 12 okresach",
    ]);
  });
});
