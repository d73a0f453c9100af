import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HoldRequest, Quote, QuoteRequest, RefusalCode } from "../src/index.ts";

type JsonSchema = { description?: string; $ref?: string; [key: string]: unknown };

/**
 * The checkout schemas are what a POS integrator reads in the gateway's OpenAPI document; this checks
 * the contract itself, without a gateway, that every field says what it is.
 */
function undescribedFields(schema: z.ZodType, io: "input" | "output"): string[] {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  const target = (s: JsonSchema): JsonSchema => (s.$ref ? json.$defs![s.$ref.replace("#/$defs/", "")]! : s);
  const described = (s: JsonSchema): boolean =>
    (target(s).description ?? s.description ?? "").length > 10 ||
    ((s.anyOf as JsonSchema[] | undefined)?.some((branch) => branch.type !== "null" && described(branch)) ?? false);
  const missing: string[] = [];
  const walk = (s: JsonSchema, at: string): void => {
    const t = target(s);
    for (const [name, field] of Object.entries((t.properties ?? {}) as Record<string, JsonSchema>)) {
      if (!described(field)) missing.push(`${at}.${name}`);
      const branches = [field, ...((field.anyOf as JsonSchema[] | undefined) ?? [])];
      for (const b of branches) {
        walk(b, `${at}.${name}`);
        if (target(b).items) walk(target(b).items as JsonSchema, `${at}.${name}[]`);
      }
    }
  };
  walk(json, "");
  return missing;
}

describe("checkout schemas for integrators", () => {
  it("describe every field, nested ones included", () => {
    expect(undescribedFields(QuoteRequest, "input")).toEqual([]);
    expect(undescribedFields(HoldRequest, "input")).toEqual([]);
    expect(undescribedFields(Quote, "output")).toEqual([]);
  });

  it("explain every refusal code in one line of its own", () => {
    const description = RefusalCode.meta()?.description ?? "";
    for (const code of RefusalCode.options) expect(description).toMatch(new RegExp(`^- \`${code}\`: .{10,}$`, "m"));
  });
});
