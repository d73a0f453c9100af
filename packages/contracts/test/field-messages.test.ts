import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BehaviouralEventInput, CustomerRef, EarningRule, TransactionInput } from "../src/index.ts";

/** Importing the contracts sets the words every edge answers a refused field with. */
const messages = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected the value to be refused");
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("field messages an integrator reads", () => {
  it("a missing field is 'required', whatever it should have held", () => {
    expect(messages(TransactionInput, {})).toMatchObject({
      externalId: "required",
      type: "required",
      occurredAt: "required",
      channel: "required",
      lines: "required",
      total: "required",
    });
  });

  it("a wrong type names what was expected and what came", () => {
    expect(
      messages(TransactionInput, { externalId: 5, total: "1450", lines: {}, channel: null, currency: [] }),
    ).toMatchObject({
      externalId: "must be a string, not a number",
      total: "must be a number, not a string",
      lines: "must be an array, not an object",
      currency: "must be a string, not an array",
    });
  });

  it("an enum lists the values it accepts, a discriminated union its kinds", () => {
    expect(messages(TransactionInput, { type: "return" }).type).toBe("must be one of: sale, refund");
    expect(messages(TransactionInput, { channel: "fax" }).channel).toBe(
      "must be one of: kiosk, pos, app, web, delivery",
    );
    expect(messages(EarningRule, { type: "bogus" }).type).toBe(
      "must be one of: base_rate, slabs, per_item, per_visit, multiplier, exclusion, action",
    );
  });

  it("bounds, formats and unknown fields read as sentences; a schema's own message still wins", () => {
    expect(messages(EarningRule, { type: "multiplier", id: "x2", factor: 500 }).factor).toBe("must be at most 100");
    expect(messages(TransactionInput, { occurredAt: "yesterday" }).occurredAt).toMatch(
      /^must be an ISO 8601 date-time with an offset/,
    );
    expect(messages(CustomerRef, { phone: "+48600100200", nickname: "Bob" })[""]).toBe('unknown field: "nickname"');
    expect(messages(CustomerRef, { phone: "600" }).phone).toBe("must be an E.164 phone number such as +48600100200");
    expect(messages(BehaviouralEventInput, { eventId: "" }).eventId).toBe(
      "use 1-128 printable characters without spaces",
    );
  });

  it("hostile keys are quoted, cut short and counted, not echoed in full", () => {
    const keys = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${"k".repeat(100)}${i}`, 1]));
    const message = messages(CustomerRef, { phone: "+48600100200", ...keys })[""]!;
    expect(message).toMatch(/^unknown fields: "k{40}…", /);
    expect(message).toMatch(/and 3 more$/);
    expect(message.length).toBeLessThan(300);
  });

  it("applies to every schema in the process, not only the contracts'", () => {
    expect(
      messages(z.object({ n: z.number().positive(), s: z.string().min(3), a: z.array(z.string()).min(1) }), {
        n: 0,
        s: "ab",
        a: [],
      }),
    ).toEqual({
      n: "must be greater than 0",
      s: "must be at least 3 characters long",
      a: "must not be empty",
    });
  });
});
