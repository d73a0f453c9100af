import { DomainEvent, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch, expandOutbox } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { saleBody, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ActiveCampaignCache, enrolFromEvent } from "../src/index.ts";
import { addCampaign, DAY, enrolmentsOf, later, runnerTenant } from "./runner-fixtures.ts";

// A till's first sale naming an unknown phone creates the customer in the ledger's batch, which announces it. The
// event goes through the same path the `campaign-triggers` durable takes (enrolFromEvent): an always-on campaign for
// all members enrols the new customer, a `registered` campaign (app sign-ups) does not.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

const saleAtTill = (tenantId: string, phone: string): TransactionMessage => {
  const transaction = TransactionInput.parse(saleBody({ channel: "pos", customer: { phone } }));
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: now.toISOString(),
    transaction,
  };
};

it("a customer a till creates joins the always-on campaign for all members, not the registration campaign", async () => {
  const { tenantId } = await runnerTenant(db);
  const points = [{ type: "award_points" as const, points: 5, reason: "Welcome to the club" }];
  const club = await addCampaign(
    db,
    tenantId,
    { audience: { kind: "all_members" }, trigger: { type: "always_on" }, actions: points },
    { startedAt: later(now, -DAY) },
  );
  const signUps = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: points,
  });

  const applied = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
    saleAtTill(tenantId, "+48731000001"),
  ]);
  expect(applied.outcomes).toEqual([{ kind: "done" }]);
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone: "+48731000001" } });
  const announced = expandOutbox(applied.outbox)
    .filter((e) => e.type === "customer.created")
    .map((e) => DomainEvent.parse(e.payload));
  expect(announced).toEqual([expect.objectContaining({ customerId: customer.id, cause: "sale", via: "pos" })]);

  for (const event of announced) await enrolFromEvent(db, cache, event, now);
  expect((await enrolmentsOf(db, club)).map((e) => [e.customerId, e.occurrence])).toEqual([
    [customer.id, `customer.created:${customer.id}`],
  ]);
  expect(await enrolmentsOf(db, signUps)).toEqual([]);
});
