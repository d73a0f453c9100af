import { smsLength } from "@regulars/messaging";
import { describe, expect, it } from "vitest";
import { holdCodeLanguage, holdCodeLanguages, holdCodeSmsText } from "../src/index.ts";

const sms = { code: "012345", brand: "Demo Burgers", amount: 1250, currency: "EUR", minutes: 5 };

describe("holdCodeLanguage", () => {
  it("takes the customer's language, else the tenant's, else English", () => {
    expect(holdCodeLanguage("pl", "de")).toBe("pl");
    expect(holdCodeLanguage(null, "de")).toBe("de");
    expect(holdCodeLanguage(undefined, null)).toBe("en");
  });

  it("passes over a language it has no wording for, keeping a regional tag it has", () => {
    expect(holdCodeLanguage("ja", "pl")).toBe("pl");
    expect(holdCodeLanguage("ja", "ko")).toBe("en");
    expect(holdCodeLanguage("pt-BR", "en")).toBe("pt-BR");
    expect(holdCodeLanguage("PL", null)).toBe("PL");
    // A profile's language is the customer's own text: names every object has are no languages.
    expect(holdCodeLanguage("constructor", "__proto__")).toBe("en");
    expect(holdCodeSmsText(sms, "toString")).toBe(holdCodeSmsText(sms, "en"));
  });
});

describe("holdCodeSmsText", () => {
  it("keeps the English wording, with the plural of minutes", () => {
    expect(holdCodeSmsText(sms, "en")).toBe(
      "012345 is your Demo Burgers code to pay €12.50 from your wallet. It expires in 5 minutes. Never share it.",
    );
    expect(holdCodeSmsText({ ...sms, minutes: 1 }, "en-GB")).toContain("It expires in 1 minute. Never");
  });

  it("writes Polish with the amount as Poles write it", () => {
    expect(holdCodeSmsText({ ...sms, amount: 4990, currency: "PLN" }, "pl")).toBe(
      "012345 to Twój kod Demo Burgers do zapłaty 49,90 zł z portfela. Wygasa za 5 min. Nie podawaj go nikomu.",
    );
  });

  it("says the code, the brand, the amount and the minutes in every language it has", () => {
    for (const language of holdCodeLanguages) {
      const text = holdCodeSmsText(sms, language);
      expect(text.startsWith("012345 "), language).toBe(true);
      expect(text, language).toContain("Demo Burgers");
      expect(text, language).toMatch(/12[.,]50/);
      expect(text, language).toMatch(/\b5 [Mm]in/);
    }
    const texts = holdCodeLanguages.map((l) => holdCodeSmsText(sms, l));
    expect(new Set(texts).size).toBe(holdCodeLanguages.length);
  });

  it("stays within two SMS parts, and one in GSM-7 where the language's letters allow", () => {
    const gsm = new Set(["en", "de", "fr", "it", "nl"]);
    for (const language of holdCodeLanguages) {
      const length = smsLength(holdCodeSmsText({ ...sms, amount: 99_999 }, language));
      expect(length.segments, language).toBeLessThanOrEqual(gsm.has(language) ? 1 : 2);
      if (gsm.has(language)) expect(length.encoding, `${language}: ${length.nonGsmCharacters}`).toBe("GSM-7");
    }
  });

  it("uses a currency's own minor units", () => {
    expect(holdCodeSmsText({ ...sms, amount: 500, currency: "JPY" }, "en")).toContain("¥500");
  });

  it("words an unknown language in English", () => {
    expect(holdCodeSmsText(sms, "ja")).toMatch(/^012345 is your Demo Burgers code to pay \S+ from your wallet\. /);
  });
});
