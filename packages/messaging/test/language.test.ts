import { describe, expect, it } from "vitest";
import { chooseTemplate } from "../src/index.ts";

const templates = [
  { language: "en" },
  { language: "pt-BR" },
  { language: "pt-PT" },
  { language: "de-AT" },
  { language: "pl" },
];
const chosen = (customer: string | null, tenant = "pl") => chooseTemplate(templates, customer, tenant)?.language;

describe("the language a customer gets", () => {
  it("is their own when the message has it, whatever the case", () => {
    expect(chosen("pt-PT")).toBe("pt-PT");
    expect(chosen("en")).toBe("en");
    expect(chosen("pt-br")).toBe("pt-BR");
  });

  it("falls back to the primary language: the plain one first, else the first regional variant", () => {
    expect(chosen("en-GB")).toBe("en");
    expect(chosen("pt")).toBe("pt-BR");
    expect(chosen("pt-AO")).toBe("pt-BR");
    expect(chosen("de")).toBe("de-AT");
  });

  it("falls back to the tenant's language when the customer's is missing or not written", () => {
    expect(chosen(null)).toBe("pl");
    expect(chosen("fr")).toBe("pl");
    expect(chosen("fr", "de-DE")).toBe("de-AT");
  });

  it("is none when neither the customer's nor the tenant's language exists", () => {
    expect(chosen("fr", "it")).toBeUndefined();
    expect(chooseTemplate([], "pl", "pl")).toBeUndefined();
  });
});
