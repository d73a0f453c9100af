import { describe, expect, it } from "vitest";
import {
  BehaviouralEventInput,
  CustomerRef,
  exampleSaleLines,
  identityOf,
  ledgerPartitionKey,
  lineAmount,
  occurredAtOutOfRange,
  TransactionInput,
} from "../src/index.ts";

/** The body a kiosk posts to `POST /v1/transactions`. */
const exampleSale = {
  externalId: "POS1-2026-11-26-000123",
  type: "sale",
  occurredAt: "2026-11-26T12:31:05+01:00",
  locationId: "store-017",
  channel: "kiosk",
  customer: { phone: "+48600100200" },
  currency: "EUR",
  lines: exampleSaleLines,
  total: 1450,
  couponCodes: ["FRIES-50"],
  holdId: null,
};

const pathsOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => i.path.join("."));
const withLine = (line: Record<string, unknown>, total: unknown) => ({ ...exampleSale, lines: [line], total });
const line = { sku: "A", name: "A", quantity: 1, unitPrice: 100 };

describe("TransactionInput", () => {
  it("accepts the example sale as posted", () => {
    const parsed = TransactionInput.parse(exampleSale);
    expect(parsed).toEqual(exampleSale);
    expect(parsed.lines.map(lineAmount)).toEqual([700, 750]);
  });

  it("fills defaults for optional fields", () => {
    const parsed = TransactionInput.parse({
      ...exampleSale,
      customer: undefined,
      couponCodes: undefined,
      holdId: undefined,
      lines: [line],
      total: 100,
    });
    expect(parsed.couponCodes).toEqual([]);
    expect(parsed.lines[0]).toEqual({ ...line, tags: [], discount: 0 });
    expect(parsed.customer).toBeUndefined();
  });

  it("accepts an anonymous sale and a refund naming its sale", () => {
    expect(TransactionInput.safeParse({ ...exampleSale, customer: null }).success).toBe(true);
    expect(
      TransactionInput.safeParse({
        ...exampleSale,
        externalId: "POS1-R-1",
        type: "refund",
        refundOf: exampleSale.externalId,
      }).success,
    ).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["zero quantity", withLine({ ...line, quantity: 0 }, 0), "lines.0.quantity"],
    ["fractional quantity", withLine({ ...line, quantity: 1.5 }, 150), "lines.0.quantity"],
    ["fractional price", withLine({ ...line, unitPrice: 1.5 }, 1.5), "lines.0.unitPrice"],
    ["negative price", withLine({ ...line, unitPrice: -100 }, -100), "lines.0.unitPrice"],
    ["discount above the line", withLine({ ...line, discount: 200 }, -100), "lines.0.discount"],
    ["line without sku", withLine({ ...line, sku: "" }, 100), "lines.0.sku"],
    ["no lines", { ...exampleSale, lines: [], total: 0 }, "lines"],
    ["total not matching the lines after discounts", { ...exampleSale, total: 1490 }, "total"],
    ["negative total", { ...exampleSale, total: -1 }, "total"],
    ["missing externalId", { ...exampleSale, externalId: undefined }, "externalId"],
    ["externalId with a space", { ...exampleSale, externalId: "POS 1" }, "externalId"],
    ["externalId too long", { ...exampleSale, externalId: "x".repeat(129) }, "externalId"],
    ["unknown type", { ...exampleSale, type: "void" }, "type"],
    ["offset-less timestamp", { ...exampleSale, occurredAt: "2026-11-26T12:31:05" }, "occurredAt"],
    ["not a timestamp", { ...exampleSale, occurredAt: "yesterday" }, "occurredAt"],
    ["location unsafe for subjects", { ...exampleSale, locationId: "store 17.a" }, "locationId"],
    ["unknown channel", { ...exampleSale, channel: "fax" }, "channel"],
    ["lower-case currency", { ...exampleSale, currency: "eur" }, "currency"],
    ["two identities", { ...exampleSale, customer: { phone: "+48600100200", cardNumber: "CARD-1" } }, "customer"],
    ["phone not E.164", { ...exampleSale, customer: { phone: "600100200" } }, "customer.phone"],
    ["refund without refundOf", { ...exampleSale, type: "refund" }, "refundOf"],
    ["sale with refundOf", { ...exampleSale, refundOf: "POS1-0" }, "refundOf"],
    ["refund of itself", { ...exampleSale, type: "refund", refundOf: exampleSale.externalId }, "refundOf"],
    [
      "too many coupon codes",
      { ...exampleSale, couponCodes: Array.from({ length: 21 }, (_, i) => `C${i}`) },
      "couponCodes",
    ],
  ])("refuses %s", (_label, body, path) => {
    const result = TransactionInput.safeParse(body);
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toContain(path);
  });

  it("takes coupon codes as a quote compares them: trimmed, upper case, typographic dashes as '-'", () => {
    const typed = [" fries-50 ", "ONCE\u2013ONLY", "once\u2212only\t"];
    expect(TransactionInput.parse({ ...exampleSale, couponCodes: typed }).couponCodes).toEqual([
      "FRIES-50",
      "ONCE-ONLY",
      "ONCE-ONLY",
    ]);
    const refused = TransactionInput.safeParse({ ...exampleSale, couponCodes: ["FRIES-50", "10% OFF", "AB"] });
    expect(refused.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["couponCodes.1", "use 3-64 letters, digits or '-'"],
      ["couponCodes.2", "use 3-64 letters, digits or '-'"],
    ]);
  });

  it("names the expected total when the lines do not add up", () => {
    const result = TransactionInput.safeParse({ ...exampleSale, total: 1490 });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ["total"], message: expect.stringContaining("1450") }),
    ]);
  });
});

describe("CustomerRef", () => {
  it.each([
    [{ id: "cus_01m8aycd93j5bypc53wpnh5wbh" }],
    [{ phone: "+48600100200" }],
    [{ cardNumber: "CARD-0001" }],
    [{ externalIdentity: { provider: "apple", subject: "001234.abcdef" } }],
  ])("accepts exactly one identity: %j", (ref) => {
    expect(CustomerRef.parse(ref)).toEqual(ref);
  });

  it.each<[string, unknown, string]>([
    ["no identity", {}, ""],
    ["two identities", { phone: "+48600100200", cardNumber: "CARD-0001" }, ""],
    [
      "all identities",
      {
        id: "cus_01m8aycd93j5bypc53wpnh5wbh",
        phone: "+48600100200",
        cardNumber: "CARD-0001",
        externalIdentity: { provider: "apple", subject: "x" },
      },
      "",
    ],
    ["an unknown field", { phone: "+48600100200", email: "a@b.c" }, ""],
    ["a malformed id", { id: "customer-1" }, "id"],
    ["a phone without +", { phone: "48600100200" }, "phone"],
    ["a too-short card", { cardNumber: "123" }, "cardNumber"],
    ["an upper-case provider", { externalIdentity: { provider: "Apple", subject: "x" } }, "externalIdentity.provider"],
    ["an empty subject", { externalIdentity: { provider: "apple", subject: "" } }, "externalIdentity.subject"],
  ])("refuses %s", (_label, ref, path) => {
    const result = CustomerRef.safeParse(ref);
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toContain(path);
  });

  it("explains the exactly-one rule", () => {
    expect(CustomerRef.safeParse({}).error?.issues[0]?.message).toMatch(
      /exactly one of id, phone, cardNumber, externalIdentity/,
    );
  });
});

describe("identityOf", () => {
  it("maps each reference to the identity kind stored, or to a customer id", () => {
    expect(identityOf({ id: "cus_01m8aycd93j5bypc53wpnh5wbh" })).toEqual({
      customerId: "cus_01m8aycd93j5bypc53wpnh5wbh",
    });
    expect(identityOf({ phone: "+48600100200" })).toEqual({ kind: "phone", value: "+48600100200" });
    expect(identityOf({ cardNumber: "CARD-0001" })).toEqual({ kind: "card", value: "CARD-0001" });
    expect(identityOf({ externalIdentity: { provider: "apple", subject: "x" } })).toEqual({
      kind: "ext:apple",
      value: "x",
    });
    expect(identityOf({ externalIdentity: { provider: "google", subject: "x" } })).toEqual({
      kind: "ext:google",
      value: "x",
    });
  });
});

describe("a card number", () => {
  it("is kept as posted, and both spellings name one card identity and one ledger partition", () => {
    expect(CustomerRef.parse({ cardNumber: "card-000417" })).toEqual({ cardNumber: "card-000417" });
    expect(identityOf({ cardNumber: "Card-000417" })).toEqual({ kind: "card", value: "CARD-000417" });
    const keys = ["CARD-000417", "card-000417"].map((cardNumber) =>
      ledgerPartitionKey(TransactionInput.parse({ ...exampleSale, customer: { cardNumber } })),
    );
    expect(keys).toEqual(["card:CARD-000417", "card:CARD-000417"]);
  });
});

describe("BehaviouralEventInput", () => {
  const event = { eventId: "app-evt-1", type: "app_open", occurredAt: "2026-11-26T12:31:05Z" };

  it("accepts a minimal event and defaults its properties", () => {
    expect(BehaviouralEventInput.parse(event)).toEqual({ ...event, properties: {} });
    const full = {
      ...event,
      customer: { externalIdentity: { provider: "apple", subject: "x" } },
      locationId: "store-017",
      channel: "app",
      properties: { screen: "menu" },
    };
    expect(BehaviouralEventInput.parse(full)).toEqual(full);
  });

  it("accepts integrator-defined snake_case types from 2 to 64 characters", () => {
    for (const type of ["ab", "loyalty_card_scanned", `a${"b".repeat(63)}`, "push_opened_v2"]) {
      expect(BehaviouralEventInput.safeParse({ ...event, type }).success, type).toBe(true);
    }
  });

  it("accepts properties up to 8 KiB serialised", () => {
    const properties = { blob: "x".repeat(8_192 - '{"blob":""}'.length) };
    expect(JSON.stringify(properties).length).toBe(8_192);
    expect(BehaviouralEventInput.safeParse({ ...event, properties }).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a one-letter type", { type: "a" }, "type"],
    ["a type over 64 characters", { type: `a${"b".repeat(64)}` }, "type"],
    ["a camelCase type", { type: "appOpen" }, "type"],
    ["a dashed type", { type: "app-open" }, "type"],
    ["a type starting with a digit", { type: "1_open" }, "type"],
    ["properties over 8 KiB", { properties: { blob: "x".repeat(8_192) } }, "properties"],
    ["a property name over 64 characters", { properties: { ["k".repeat(65)]: 1 } }, "properties"],
    ["an eventId with a space", { eventId: "evt 1" }, "eventId"],
    ["an offset-less timestamp", { occurredAt: "2026-11-26T12:31:05" }, "occurredAt"],
    ["a customer with two identities", { customer: { phone: "+48600100200", cardNumber: "CARD-0001" } }, "customer"],
    ["an unknown channel", { channel: "fax" }, "channel"],
  ])("refuses %s", (_label, patch, path) => {
    const result = BehaviouralEventInput.safeParse({ ...event, ...patch });
    expect(result.success).toBe(false);
    expect(pathsOf(result).some((p) => p === path || p.startsWith(`${path}.`))).toBe(true);
  });
});

describe("occurredAt's UTC offset", () => {
  const at = (offset: string) => ({ ...exampleSale, occurredAt: `2026-11-26T12:31:05${offset}` });
  it.each(["Z", "-12:00", "+14:00", "+05:45", "-00:00"])("accepts the real offset %s", (offset) => {
    expect(TransactionInput.safeParse(at(offset)).success).toBe(true);
  });
  it.each(["+14:01", "-12:01", "+15:59", "+20:00", "-23:59"])(
    "refuses %s, which no place uses, naming the field",
    (offset) => {
      const result = TransactionInput.safeParse(at(offset));
      expect(result.error?.issues).toEqual([
        expect.objectContaining({ path: ["occurredAt"], message: expect.stringMatching(/from -12:00 to \+14:00/) }),
      ]);
    },
  );
});

describe("occurredAtOutOfRange", () => {
  const now = new Date("2024-06-15T12:00:00Z"); // the clock is passed in: no dependence on today
  const window = { maxAgeDays: 35, maxAheadSeconds: 300 };
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  it("accepts the edges of the window and refuses one millisecond beyond", () => {
    expect(occurredAtOutOfRange(at(-35 * 86_400_000), now, window)).toBeNull();
    expect(occurredAtOutOfRange(at(300_000), now, window)).toBeNull();
    expect(occurredAtOutOfRange(at(-35 * 86_400_000 - 1), now, window)).toMatch(/more than 35 days in the past/);
    expect(occurredAtOutOfRange(at(300_001), now, window)).toMatch(/more than 300 seconds in the future/);
  });
  it("reads offsets: 12:04+00:00 is in range, the same wall time at -01:00 is an hour ahead", () => {
    expect(occurredAtOutOfRange("2024-06-15T12:04:00+00:00", now, window)).toBeNull();
    expect(occurredAtOutOfRange("2024-06-15T12:04:00-01:00", now, window)).not.toBeNull();
  });
});

describe("only what the stores can hold passes the door", () => {
  const unstorable: [string, string][] = [
    ["NUL", "FRIES\u0000L"],
    ["a newline", "FRIES\nL"],
    ["DEL", "FRIES\u007f"],
    ["a C1 control", "FRIES\u0085"],
    ["a lone high surrogate", "FRIES\ud83d"],
    ["a lone low surrogate", "\ude00FRIES"],
  ];
  it.each(unstorable)("refuses %s in every string of a transaction, naming the field", (_name, bad) => {
    const fields: [string, Record<string, unknown>][] = [
      ["lines.0.sku", withLine({ ...line, sku: bad }, 100)],
      ["lines.0.name", withLine({ ...line, name: bad }, 100)],
      ["lines.0.category", withLine({ ...line, category: bad }, 100)],
      ["lines.0.tags.0", withLine({ ...line, tags: [bad] }, 100)],
      ["couponCodes.0", { ...exampleSale, couponCodes: [bad] }],
      ["holdId", { ...exampleSale, holdId: bad }],
      [
        "customer.externalIdentity.subject",
        { ...exampleSale, customer: { externalIdentity: { provider: "apple", subject: bad } } },
      ],
    ];
    for (const [path, body] of fields) expect(pathsOf(TransactionInput.safeParse(body))).toContain(path);
  });

  it("accepts emoji and accents (paired surrogates are fine)", () => {
    expect(TransactionInput.safeParse(withLine({ ...line, name: "Crème brûlée 🍮" }, 100)).success).toBe(true);
  });

  it.each(unstorable)("refuses %s in event property keys and nested values", (_name, bad) => {
    const event = { eventId: "e1", type: "app_open", occurredAt: "2024-01-01T00:00:00Z" };
    expect(pathsOf(BehaviouralEventInput.safeParse({ ...event, properties: { [bad]: 1 } }))).toContain(
      `properties.${bad}`,
    );
    expect(pathsOf(BehaviouralEventInput.safeParse({ ...event, properties: { a: { b: [bad] } } }))).toContain(
      "properties.a.b.0",
    );
  });

  it("refuses event properties nested deeper than 8 levels", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 9; i++) deep = { d: deep };
    const parsed = BehaviouralEventInput.safeParse({
      eventId: "e1",
      type: "app_open",
      occurredAt: "2024-01-01T00:00:00Z",
      properties: deep as Record<string, unknown>,
    });
    expect(parsed.success).toBe(false);
  });

  it("bounds money so every sum stays exact: unit price, total", () => {
    expect(
      pathsOf(TransactionInput.safeParse(withLine({ ...line, unitPrice: 1_000_000_001 }, 1_000_000_001))),
    ).toContain("lines.0.unitPrice");
    const big = { ...line, quantity: 10_000, unitPrice: 1_000_000_000 }; // 10^13 minor units
    expect(pathsOf(TransactionInput.safeParse(withLine(big, 10_000_000_000_000)))).toContain("total");
    const largest = { ...line, quantity: 1_000, unitPrice: 1_000_000_000 }; // exactly the ceiling
    expect(TransactionInput.safeParse(withLine(largest, 1_000_000_000_000)).success).toBe(true);
  });
});
