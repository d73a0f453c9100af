import type { DeadLetter } from "@regulars/contracts";
import { testBus } from "@regulars/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  deadLetter,
  deleteErasedDeadLetters,
  type ErasedPerson,
  letterNamesErased,
  readDeadLetters,
} from "../src/index.ts";

/** Erased customers' dead letters found by what their payload names, against a real NATS server. */
let bus: Awaited<ReturnType<typeof testBus>>;
beforeEach(async () => {
  bus = await testBus();
});
afterEach(async () => {
  await bus?.dispose();
});

const ann: ErasedPerson = {
  tenantId: "ten_a",
  customerIds: ["cus_ann0000000001"],
  identities: [
    { kind: "phone", value: "+48604100077" },
    { kind: "card", value: "CARD-000417" },
    { kind: "ext:apple", value: "sub-ann" },
  ],
  transactionExternalIds: ["POS1-ann-sale"],
  holdIds: ["hld_ann"],
};

const sale = (tenantId: string, fields: Record<string, unknown>) =>
  JSON.stringify({ tenantId, transactionId: "tx", transaction: { externalId: "POS1-x", type: "sale", ...fields } });
const letter = (payload: string): DeadLetter => ({
  reason: "rejected",
  consumer: "ledger",
  stream: "TX",
  subject: "tx",
  streamSequence: 1,
  deliveries: 1,
  failedAt: new Date().toISOString(),
  payload,
});
const names = (payload: string) => letterNamesErased(letter(payload), [ann]);

it("names the person by each identity, a phone in either spelling, their id, their sale or hold", () => {
  expect(names(sale("ten_a", { customer: { phone: "+48604100077" } }))).toBe(true);
  // The till's spelling with the 0 kept after the country code.
  expect(names(sale("ten_a", { customer: { phone: "+480604100077" } }))).toBe(true);
  expect(names(sale("ten_a", { customer: { cardNumber: "card-000417" } }))).toBe(true);
  expect(names(sale("ten_a", { customer: { externalIdentity: { provider: "apple", subject: "sub-ann" } } }))).toBe(
    true,
  );
  expect(names(sale("ten_a", { customer: { id: "cus_ann0000000001" } }))).toBe(true);
  expect(names(sale("ten_a", { type: "refund", refundOf: "POS1-ann-sale", customer: null }))).toBe(true);
  expect(names(sale("ten_a", { holdId: "hld_ann" }))).toBe(true);
  expect(names(JSON.stringify({ tenantId: "ten_a", id: "e", event: { customer: { phone: "+48604100077" } } }))).toBe(
    true,
  );
  expect(names(JSON.stringify({ tenantId: "ten_a", type: "customer.updated", customerId: "cus_ann0000000001" }))).toBe(
    true,
  );
});

it("another tenant's same phone, another customer, a provider's other subject and unreadable text name nobody", () => {
  expect(names(sale("ten_b", { customer: { phone: "+48604100077" } }))).toBe(false);
  expect(names(sale("ten_a", { customer: { phone: "+48604100078" } }))).toBe(false);
  expect(names(sale("ten_a", { customer: { externalIdentity: { provider: "google", subject: "sub-ann" } } }))).toBe(
    false,
  );
  expect(names(`{"tenantId":"ten_a","note":"+48604100077"`)).toBe(false);
  expect(names(JSON.stringify({ tenantId: "ten_a", note: "+48604100077 cus_ann0000000001" }))).toBe(false);
});

it("deletes the person's letters from the stream and keeps the others; a second run deletes nothing", async () => {
  const payloads = [
    sale("ten_a", { customer: { phone: "+480604100077" } }),
    sale("ten_a", { customer: { phone: "+48604100078" } }),
    sale("ten_b", { customer: { phone: "+48604100077" } }),
  ];
  for (const [i, payload] of payloads.entries())
    await deadLetter(
      bus,
      bus.topology.consumers.ledger,
      bus.topology.streams.transactions,
      { subject: "tx", streamSequence: i + 1, deliveries: 1, payload },
      "rejected",
    );

  expect(await deleteErasedDeadLetters(bus, async () => [ann])).toBe(1);
  const left: string[] = [];
  for await (const stored of readDeadLetters(bus)) left.push(stored.letter.payload);
  expect(left).toEqual(payloads.slice(1));
  expect(await deleteErasedDeadLetters(bus, async () => [ann])).toBe(0);
});
