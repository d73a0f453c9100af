import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { messages } from "../src/pages/segments/messages.ts";

async function translator(lng: "en" | "pl") {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng,
    resources: { en: { segments: messages.en }, pl: { segments: messages.pl } },
    interpolation: { escapeValue: false },
  });
  return i18n.getFixedT(lng, "segments");
}

const live = (t: Awaited<ReturnType<typeof translator>>, count: number, key = "liveCount") =>
  t(key, { count, formatted: String(count) });

describe("a segment's counts, in the staff's language", () => {
  it("says one matching customer, and many, in English", async () => {
    const en = await translator("en");
    expect(live(en, 1)).toBe("1 matching customer");
    expect(live(en, 2)).toBe("2 matching customers");
    expect(live(en, 1, "liveCountEstimate")).toBe("≈ 1 matching customer (estimate)");
    expect(en("refreshed", { count: 1, members: "1", entered: "1", left: "0" })).toBe(
      "Refreshed: 1 member, 1 entered, 0 left.",
    );
  });

  it("uses each of Polish's forms", async () => {
    const pl = await translator("pl");
    expect([1, 3, 5, 22, 25].map((n) => live(pl, n))).toEqual([
      "1 pasujący klient",
      "3 pasujących klientów",
      "5 pasujących klientów",
      "22 pasujących klientów",
      "25 pasujących klientów",
    ]);
    expect(pl("refreshed", { count: 1, members: "1", entered: "1", left: "0" })).toBe(
      "Odświeżono: 1 członek, weszło 1, wyszło 0.",
    );
  });
});
