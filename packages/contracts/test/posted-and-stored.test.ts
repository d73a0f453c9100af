import { describe, expect, it } from "vitest";
import {
  BehaviouralEventInput,
  EventMessage,
  ExternalId,
  exampleSaleLines,
  TransactionInput,
  TransactionMessage,
} from "../src/index.ts";

/**
 * What a client posts is held to the contract field by field: a misspelt field is refused, not dropped. What the
 * streams carry is read tolerantly: a message another release of the gateway stored must still apply.
 */
const at = new Date(Date.now() - 60_000).toISOString();
const sale = {
  externalId: "POS1-000123",
  type: "sale",
  occurredAt: at,
  locationId: "store-017",
  channel: "pos",
  customer: { phone: "+48600100200" },
  currency: "EUR",
  lines: exampleSaleLines,
  total: 1450,
};
const refund = {
  ...sale,
  externalId: "POS1-000124",
  type: "refund",
  refundOf: sale.externalId,
  lines: [{ sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 2000 }],
  total: 2000,
};
const event = { eventId: "app-000017", type: "app_open", occurredAt: at };

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));

describe("a posted transaction or event refuses fields it does not know", () => {
  it("names the line and the field a refund line misspelt (line_no for lineNo)", () => {
    const misspelt = { ...refund, lines: [{ ...refund.lines[0], line_no: 1 }] };
    expect(issuesOf(TransactionInput.safeParse(misspelt))).toEqual([
      { path: "lines.0", message: 'unknown field: "line_no"' },
    ]);
    expect(TransactionInput.safeParse({ ...refund, lines: [{ ...refund.lines[0], lineNo: 1 }] }).success).toBe(true);
  });

  it("names a field beside the transaction's own", () => {
    expect(issuesOf(TransactionInput.safeParse({ ...sale, holdID: "hold_x" }))).toEqual([
      { path: "", message: 'unknown field: "holdID"' },
    ]);
  });

  it("names a field beside the event's own; free-form details belong in properties", () => {
    expect(issuesOf(BehaviouralEventInput.safeParse({ ...event, location: "store-017" }))).toEqual([
      { path: "", message: 'unknown field: "location"' },
    ]);
    expect(BehaviouralEventInput.safeParse({ ...event, properties: { location: "store-017" } }).success).toBe(true);
  });
});

describe("a posted event's properties are at most 8 KiB of UTF-8, not 8 Ki characters", () => {
  // "ż" is one UTF-16 unit and two UTF-8 bytes: 8,000 of them are under 8 Ki characters and near 16 KB on the wire.
  const wide = { big: "ż".repeat(8_000) };
  const fitting = { big: "ż".repeat((8_192 - '{"big":""}'.length) / 2) };

  it("refuses properties whose JSON is over 8192 bytes, however few characters", () => {
    expect(JSON.stringify(wide).length).toBeLessThan(8_192);
    expect(issuesOf(BehaviouralEventInput.safeParse({ ...event, properties: wide }))).toEqual([
      { path: "properties", message: "must serialise to at most 8 KiB" },
    ]);
  });

  it("accepts exactly 8192 bytes", () => {
    expect(new TextEncoder().encode(JSON.stringify(fitting)).length).toBe(8_192);
    expect(BehaviouralEventInput.safeParse({ ...event, properties: fitting }).success).toBe(true);
    const overByOne = { big: `${fitting.big}x` };
    expect(BehaviouralEventInput.safeParse({ ...event, properties: overByOne }).success).toBe(false);
  });

  it("still reads a stored event accepted when the limit counted characters", () => {
    const message = { tenantId: "ten_1", id: "evt_1", receivedAt: at, event: { ...event, properties: wide } };
    expect(EventMessage.parse(message).event.properties).toEqual(wide);
  });
});

describe("a posted id made only of dots is refused: its status could never be read", () => {
  it.each([".", "..", "..."])("refuses %j as externalId, refundOf and eventId", (id) => {
    expect(issuesOf(ExternalId.safeParse(id))).toEqual([{ path: "", message: "must not be only dots" }]);
    expect(issuesOf(TransactionInput.safeParse({ ...sale, externalId: id }))).toEqual([
      { path: "externalId", message: "must not be only dots" },
    ]);
    expect(issuesOf(TransactionInput.safeParse({ ...refund, refundOf: id }))).toEqual([
      { path: "refundOf", message: "must not be only dots" },
    ]);
    expect(issuesOf(BehaviouralEventInput.safeParse({ ...event, eventId: id }))).toEqual([
      { path: "eventId", message: "must not be only dots" },
    ]);
  });

  it("accepts ids with dots among other characters", () => {
    for (const id of ["a.b", ".a", "1.", "..x.."]) expect(ExternalId.safeParse(id).success).toBe(true);
  });
});

describe("what the streams carry is read as stored, whatever the gateway that stored it knew", () => {
  const stored = (transaction: Record<string, unknown>) => ({
    tenantId: "ten_1",
    transactionId: "txn_1",
    receivedAt: at,
    transaction,
    credentialId: "key_1",
    partition: 7,
  });

  it("a transaction with fields this release does not know, in its lines too, parses without them", () => {
    const message = stored({ ...refund, bodyHash: "abc", lines: [{ ...refund.lines[0], lineNo: 0, colour: "red" }] });
    const parsed = TransactionMessage.parse(message);
    expect(parsed.transaction).toEqual(
      TransactionInput.parse({ ...refund, lines: [{ ...refund.lines[0], lineNo: 0 }] }),
    );
    expect(parsed).not.toHaveProperty("partition");
  });

  it("a transaction stored under an id now refused at the door still parses, with the same rules across fields", () => {
    expect(TransactionMessage.parse(stored({ ...sale, externalId: "." })).transaction.externalId).toBe(".");
    expect(TransactionMessage.parse(stored({ ...refund, refundOf: ".." })).transaction.refundOf).toBe("..");
    expect(issuesOf(TransactionMessage.safeParse(stored({ ...sale, total: 1 })))).toEqual([
      { path: "transaction.total", message: "must equal the lines after discounts (1450)" },
    ]);
  });

  it("an event with a field this release does not know, or stored under a dot id, parses", () => {
    const message = {
      tenantId: "ten_1",
      id: "evt_1",
      receivedAt: at,
      event: { ...event, eventId: ".", source: "sdk" },
    };
    expect(EventMessage.parse(message).event).toEqual({ ...event, eventId: ".", properties: {} });
  });
});
