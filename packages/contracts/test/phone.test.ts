import fc from "fast-check";
import { getCountries, getCountryCallingCode } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import {
  BehaviouralEventInput,
  CustomerRef,
  E164Phone,
  identityOf,
  TransactionInput,
  TransactionMessage,
} from "../src/index.ts";

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

describe("E164Phone's canonical form", () => {
  const e164 = /^\+[1-9]\d{6,14}$/;
  const countryCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];
  // Trunk zeros after the country code are what libphonenumber reads away one at a time.
  const phoneLike = fc.oneof(
    fc
      .tuple(fc.constantFrom(...countryCodes), fc.stringMatching(/^0{0,4}[0-9]{1,11}$/))
      .map(([cc, rest]) => `+${cc}${rest}`),
    fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  );

  it("is what reading it again gives, and E.164, for every number accepted; any other is refused saying why", () => {
    fc.assert(
      fc.property(phoneLike, (raw) => {
        const read = E164Phone.safeParse(raw);
        if (!read.success) {
          expect(read.error.issues[0]?.message).toMatch(/^must be (a possible phone number \(.+\)|an E\.164 phone)/);
          return;
        }
        expect(read.data).toMatch(e164);
        expect(E164Phone.parse(read.data)).toBe(read.data);
      }),
      { numRuns: 1_000 },
    );
  });

  it("drops every trunk 0 a till doubled, so a retry reads as the stored number and the ledger books the same", () => {
    expect(E164Phone.parse("+97100501234567")).toBe("+971501234567");
    expect(E164Phone.parse("+9710501234567")).toBe("+971501234567");
    const sale = TransactionInput.parse({
      externalId: "T-1",
      type: "sale",
      occurredAt: "2026-01-01T12:00:00Z",
      locationId: "store-1",
      channel: "pos",
      currency: "AED",
      lines: [{ sku: "A", name: "A", quantity: 1, unitPrice: 100 }],
      total: 100,
      customer: { phone: "+97100501234567" },
    });
    const stored = JSON.parse(
      JSON.stringify({ tenantId: "t", transactionId: "x", receivedAt: "2026-01-01T12:00:00Z", transaction: sale }),
    );
    expect(TransactionMessage.parse(stored).transaction.customer).toEqual({ phone: "+971501234567" });
  });

  it("refuses at the door a number too short once its trunk 0 is dropped, which the ledger could not read back", () => {
    expect(issueOf("+4901234")).toBe(
      "must be a possible phone number (too short without its national prefix: +491234)",
    );
    expect(issueOf("+4301234")).toBe(
      "must be a possible phone number (too short without its national prefix: +431234)",
    );
    expect(issueOf("+490001234")).toBe(
      "must be a possible phone number (too short without its national prefix: +491234)",
    );
  });
});
