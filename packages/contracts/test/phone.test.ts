import { describe, expect, it } from "vitest";
import { BehaviouralEventInput, CustomerRef, E164Phone, identityOf, TransactionInput } from "../src/index.ts";

const issueOf = (raw: string) => E164Phone.safeParse(raw).error?.issues[0]?.message;

describe("E164Phone", () => {
  it("stores one number as one text: the trunk 0 a till keeps after the country code goes", () => {
    expect(E164Phone.parse("+4407911123456")).toBe("+447911123456");
    expect(E164Phone.parse("+447911123456")).toBe("+447911123456");
    expect(E164Phone.parse("+390612345678")).toBe("+390612345678"); // Italy's leading 0 is part of the number
    expect(E164Phone.parse("+48600100200")).toBe("+48600100200");
    // Parsing what it produced changes nothing: workers parse again what the gateway stored on the stream.
    expect(E164Phone.parse(E164Phone.parse("+4407911123456"))).toBe("+447911123456");
  });

  it("refuses a number no phone of its country code can be, saying why", () => {
    expect(issueOf("+4860010")).toBe("must be a possible phone number (too short for its country)");
    expect(issueOf("+4860010020012345")).toBe("must be an E.164 phone number such as +48600100200");
    expect(issueOf("+44079111234567")).toBe("must be a possible phone number (too long for its country)");
    expect(issueOf("+999123456789")).toBe("must be a possible phone number (unknown country code)");
    expect(issueOf("600100200")).toBe("must be an E.164 phone number such as +48600100200");
  });

  it("is the form every edge that names a customer by phone stores", () => {
    const ref = CustomerRef.parse({ phone: "+4407911123456" });
    expect(identityOf(ref)).toEqual({ kind: "phone", value: "+447911123456" });
    const event = BehaviouralEventInput.parse({
      eventId: "e-1",
      type: "app_open",
      occurredAt: "2026-01-01T12:00:00Z",
      customer: { phone: "+4407911123456" },
    });
    expect(event.customer).toEqual({ phone: "+447911123456" });
    const sale = TransactionInput.parse({
      externalId: "T-1",
      type: "sale",
      occurredAt: "2026-01-01T12:00:00Z",
      locationId: "store-1",
      channel: "pos",
      currency: "GBP",
      lines: [{ sku: "A", name: "A", quantity: 1, unitPrice: 100 }],
      total: 100,
      customer: { phone: "+4407911123456" },
    });
    expect(sale.customer).toEqual({ phone: "+447911123456" });
  });
});
