import { legacyTransactionFingerprint } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// The ledger tells a repeat from a conflict by the fingerprint it stored (`transactions.body_hash`), past the
// gateway's duplicate window: it must read a body as the gateway does, and keep matching what it stored before.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);
const bodyHash = async (id: string) => (await db.transaction.findUniqueOrThrow({ where: { id } })).bodyHash;

describe("a repeat of a processed transaction", () => {
  it("with null where the first omitted customer, refundOf and holdId is the same transaction, not a conflict", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { lines: [line("MEAL", 1_000)] });
    expect((await apply(sale)).outcomes).toEqual([{ kind: "done" }]);
    const withNulls = { ...sale, transaction: { ...sale.transaction, customer: null, refundOf: null, holdId: null } };
    expect((await apply(withNulls)).outcomes).toEqual([{ kind: "done" }]);
    expect(await db.transactionRejection.count({ where: { tenantId: tenant } })).toBe(0);
  });

  it("still matches a fingerprint stored before nulls counted as omitted; a changed body still conflicts", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { lines: [line("MEAL", 1_000)], customer: null, holdId: null });
    expect((await apply(sale)).outcomes).toEqual([{ kind: "done" }]);
    // As the release before stored it: another text than today's for a body with nulls.
    const legacy = legacyTransactionFingerprint(sale.transaction);
    expect(await bodyHash(sale.transactionId)).not.toBe(legacy);
    await db.transaction.update({ where: { id: sale.transactionId }, data: { bodyHash: legacy } });

    expect((await apply(sale)).outcomes).toEqual([{ kind: "done" }]);
    const changed = txMessage(tenant, {
      externalId: sale.transaction.externalId,
      lines: [line("MEAL", 1_200)],
      customer: null,
      holdId: null,
    });
    expect((await apply(changed)).outcomes).toEqual([
      { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
    ]);
    expect(await bodyHash(sale.transactionId)).toBe(legacy);
  });
});
