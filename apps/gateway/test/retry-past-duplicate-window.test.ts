import { TransactionInput } from "@regulars/contracts";
import { prismaReader } from "@regulars/db";
import { eventually, saleBody, testTenant } from "@regulars/testing";
import { expect, it } from "vitest";
import { recordedAll } from "../src/recorded-before.ts";
import { RecordedLookups } from "../src/recorded-lookups.ts";
import { dayAgo, pastDuplicateWindow, pastWindowGateway } from "./past-window-fixture.ts";

/**
 * A sale posted again once JetStream's duplicate window (an hour in production, a second here) has passed, its
 * `occurredAt` still well inside the 35-day window: JetStream no longer knows its id, so only what the ledger recorded
 * tells a retry (duplicate, nothing stored again) from a changed sale under a used externalId (409), which was
 * answered 202 accepted and then rejected by the ledger unseen.
 */
const w = pastWindowGateway({ tenantName: "Retry Past Duplicate Window", stream: "transactions", baseRate: true });
const { post, lastSeq, applyStoredAfter } = w;
/** Posted and applied by the first test, looked up by the last. */
const sale = saleBody({ externalId: "zz-win-1", occurredAt: dayAgo(), customer: { phone: "+48710000301" } });

it("answers a sale posted again past JetStream's window duplicate, a changed body 409, one not processed yet 503", async () => {
  const before = await lastSeq();
  expect(await post("/v1/transactions", sale)).toMatchObject({ status: 202, body: { duplicate: false } });
  await applyStoredAfter(before);
  // Accepted, and not read by the ledger: past the window its body cannot be compared with anything.
  const pending = saleBody({ externalId: "zz-win-pending", occurredAt: dayAgo(), customer: { phone: "+48710000302" } });
  expect(await post("/v1/transactions", pending)).toMatchObject({ status: 202 });
  await eventually(
    "the pending sale's receipt",
    async () =>
      (await w.db.transactionReceipt.count({ where: { tenantId: w.tenant.tenantId, externalId: "zz-win-pending" } })) ||
      undefined,
  );
  await pastDuplicateWindow();
  const stored = await lastSeq();

  expect(await post("/v1/transactions", sale)).toMatchObject({
    status: 202,
    body: { externalId: "zz-win-1", status: "accepted", duplicate: true },
  });
  const changed = await post("/v1/transactions", { ...sale, customer: { phone: "+48710000399" } });
  expect(changed).toMatchObject({ status: 409, body: { code: "idempotency_conflict" } });
  expect(changed.body.message).toContain("zz-win-1");
  expect(await post("/v1/transactions", pending)).toMatchObject({ status: 503, body: { code: "unavailable" } });
  expect(await lastSeq()).toBe(stored);
});

it("answers batch items posted again past JetStream's window duplicate or idempotency_conflict, storing only new ones", async () => {
  const same = saleBody({ externalId: "zz-win-batch-1", occurredAt: dayAgo(), customer: { phone: "+48710000311" } });
  const other = saleBody({ externalId: "zz-win-batch-2", occurredAt: dayAgo(), customer: { phone: "+48710000312" } });
  const before = await lastSeq();
  expect(await post("/v1/transactions/batch", { transactions: [same, other] })).toMatchObject({
    status: 202,
    body: { accepted: 2 },
  });
  await applyStoredAfter(before);
  await pastDuplicateWindow();
  const stored = await lastSeq();

  const fresh = saleBody({ externalId: "zz-win-batch-3", occurredAt: dayAgo() });
  const changed = { ...other, customer: { phone: "+48710000399" } };
  const answer = await post("/v1/transactions/batch", { transactions: [same, changed, fresh] });
  expect(answer).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 1, invalid: 1 } });
  expect(answer.body.results).toMatchObject([
    { index: 0, externalId: "zz-win-batch-1", status: "duplicate" },
    { index: 1, externalId: "zz-win-batch-2", status: "invalid", error: { code: "idempotency_conflict" } },
    { index: 2, externalId: "zz-win-batch-3", status: "accepted" },
  ]);
  expect(await lastSeq()).toBe(stored + 1);
});

it("answers each batch item posting a recorded externalId by its own body, when one batch repeats that externalId", async () => {
  const recorded = saleBody({ externalId: "zz-win-twice", occurredAt: dayAgo(), customer: { phone: "+48710000321" } });
  const before = await lastSeq();
  expect(await post("/v1/transactions", recorded)).toMatchObject({ status: 202, body: { duplicate: false } });
  await applyStoredAfter(before);
  const stored = await lastSeq();
  const changed = { ...recorded, customer: { phone: "+48710000322" } };
  const conflict = { status: "invalid", error: { code: "idempotency_conflict" } };
  const duplicate = { status: "duplicate", externalId: "zz-win-twice" };

  const changedFirst = await post("/v1/transactions/batch", { transactions: [changed, recorded] });
  expect(changedFirst).toMatchObject({ status: 202, body: { duplicates: 1, invalid: 1 } });
  expect(changedFirst.body.results).toMatchObject([conflict, duplicate]);
  const recordedFirst = await post("/v1/transactions/batch", { transactions: [recorded, changed] });
  expect(recordedFirst).toMatchObject({ status: 202, body: { duplicates: 1, invalid: 1 } });
  expect(recordedFirst.body.results).toMatchObject([duplicate, conflict]);
  expect(await lastSeq()).toBe(stored);
});

it("stores a new sale when Postgres cannot be asked, and answers 503 for one it would refuse", async () => {
  await w.withBlindGateway(async (blind) => {
    const before = await lastSeq();
    // A Postgres outage does not stop the tills: JetStream's dedupe and the ledger's idempotency keep it exact.
    const sale = saleBody({ externalId: "zz-win-blind", occurredAt: dayAgo() });
    expect(await post("/v1/transactions", sale, blind)).toMatchObject({ status: 202, body: { duplicate: false } });
    expect(await lastSeq()).toBe(before + 1);
    // A refused one may be a stored sale whose 202 was lost: without Postgres nothing can tell, so nothing is said.
    const late = saleBody({
      externalId: "zz-win-blind-late",
      occurredAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    });
    expect(await post("/v1/transactions", late, blind)).toMatchObject({ status: 503, body: { code: "unavailable" } });
    expect(await lastSeq()).toBe(before + 1);
  });
});

it("asks Postgres once for the lookups of requests made together, each answered with its own", async () => {
  const other = await testTenant(w.db, "Retry Past Duplicate Window Other");
  const lookups = new RecordedLookups((asks) => recordedAll(prismaReader(w.db), asks));
  const posted = TransactionInput.parse(sale);
  const [mine, theirs, none] = await Promise.all([
    lookups.recordedBefore(w.tenant.tenantId, [posted]),
    lookups.recordedBefore(other.tenantId, [posted]),
    lookups.recordedBefore(w.tenant.tenantId, [TransactionInput.parse(saleBody({ externalId: "zz-win-never" }))]),
  ]);
  expect(mine).toEqual(["match"]);
  expect(theirs).toEqual([undefined]);
  expect(none).toEqual([undefined]);
  expect(lookups.stats).toEqual({ lookups: 3, statements: 1 });
});
