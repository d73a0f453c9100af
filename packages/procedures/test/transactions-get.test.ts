import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch, recordRejections } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { findCredential } from "@regulars/tenancy";
import { saleBody, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let mine: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  mine = await tenantCallers(db, "Status Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

it("answers an unknown transaction with not_found that does not say it was refused, and asks to ask again", async () => {
  const byExternalId = await failure(mine.pos.transactions.get({ externalId: "POS1-never-posted" }));
  expect(byExternalId.code).toBe("NOT_FOUND");
  expect(byExternalId.message).toBe(
    "no transaction POS1-never-posted is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again",
  );
  const byId = await failure(mine.admin.transactions.get({ id: "txn_never_posted" }));
  expect(byId.message).toBe(
    "no transaction with id txn_never_posted is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again",
  );
});

/** A sale for the customer with this phone, posted with the pos key (as the gateway stamps it) and processed. */
async function processedSaleOfPos(phone: string) {
  const transaction = TransactionInput.parse(saleBody({ customer: { phone } }));
  const pos = await findCredential(db, mine.apiKeys.pos);
  const message = {
    tenantId: mine.tenantId,
    transactionId: stableId("transaction", mine.tenantId, transaction.externalId),
    receivedAt: new Date().toISOString(),
    transaction,
    credentialId: pos!.keyId,
  };
  const [outcome] = (await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0) }, [message])).outcomes;
  expect(outcome).toEqual({ kind: "done" });
  const { id: customerId } = await db.customer.findFirstOrThrow({ where: { tenantId: mine.tenantId, phone } });
  return { externalId: transaction.externalId, id: message.transactionId, customerId };
}

const ofAnyone = ["customerId", "lines", "explanation", "movements", "total", "locationId"];

describe("transactions.get at a till", () => {
  it("tells another till a processed sale's status and balance, not whose it was, its lines or explanation", async () => {
    const sale = await processedSaleOfPos("+48600777001");
    const full = await mine.admin.transactions.get({ externalId: sale.externalId });
    expect(full).toMatchObject({ status: "processed", customerId: sale.customerId, balance: expect.any(Object) });
    expect(full).toHaveProperty("lines");

    for (const till of [mine.kiosk, mine.pos]) {
      for (const read of [{ externalId: sale.externalId }, { id: sale.id }]) {
        const seen = await till.transactions.get(read);
        expect(seen).toEqual({
          status: "processed",
          externalId: sale.externalId,
          id: sale.id,
          type: "sale",
          occurredAt: expect.any(String),
          processedAt: expect.any(String),
          pointsAwarded: expect.any(Number),
          balance: full.status === "processed" ? full.balance : null,
          conflicts: 0,
          couponCodes: [],
        });
        for (const field of ofAnyone) expect(seen, field).not.toHaveProperty(field);
        expect(JSON.stringify(seen)).not.toContain(sale.customerId);
      }
    }
    // The pos key posted it, yet reads the same: the posting key is not kept with the transaction, so nothing
    // tells it from another till of the tenant.
  });

  it("tells a till a rejected transaction's reason and when", async () => {
    await recordRejections(db, [
      {
        tenantId: mine.tenantId,
        externalId: "POS1-refused",
        bodyHash: "h",
        code: "unknown_customer",
        message: "no customer matches",
      },
    ]);
    expect(await mine.kiosk.transactions.get({ externalId: "POS1-refused" })).toEqual({
      status: "rejected",
      externalId: "POS1-refused",
      reason: { code: "unknown_customer", message: "no customer matches" },
      rejectedAt: expect.any(String),
    });
  });
});
