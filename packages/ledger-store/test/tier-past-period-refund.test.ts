import { ProgrammeConfig } from "@regulars/contracts";
import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import { programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch, outboxEventsOf, setTierFloor } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { tierPass } from "./tier-pass-fixtures.ts";

// A refund of a sale of a past period (a December sale refunded in January) is judged on the sale's own year after
// the refund and on the year in force: the upgrade it made is undone, with its reward, when neither still qualifies.
// Left in place, a refund after the tier job closed December would keep a gold December no longer earned for a year.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const programme = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
};
// Long past whenever this runs: a December and the January after it.
const year = new Date().getUTCFullYear() - 2;
const december = (day: number) => new Date(`${year}-12-${day}T12:00:00+01:00`);
const january = (day: number) => new Date(`${year + 1}-01-0${day}T12:00:00+01:00`);
const saleAt = (tenantId: string, phone: string, points: number, at: Date) =>
  txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at.toISOString() },
    new Date(at.getTime() + 60_000),
  );
const fullRefundAt = (tenantId: string, sale: ReturnType<typeof txMessage>, points: number, at: Date) =>
  refundOf(tenantId, sale, [line("MEAL", points * 100, { lineNo: 0 })], { occurredAt: at.toISOString() });
const apply = (...messages: ReturnType<typeof txMessage>[]) => applyTransactionBatch(ledgerDeps(db), messages);
async function standing(tenantId: string, phone: string) {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
  const moves = await db.ledgerMovement.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
  return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`) };
}

/** 450 earned on 10 December (silver), then the sale of 20 December that alone makes gold (550, +100). */
async function goldOnDecember20(tenantId: string, phone: string) {
  await apply(saleAt(tenantId, phone, 450, december(10)));
  const up = saleAt(tenantId, phone, 100, december(20));
  await apply(up);
  expect((await standing(tenantId, phone)).tier).toBe("gold");
  return up;
}

it("refunded on 2 January, the December sale that alone made gold takes gold and its reward back, as on 21 December", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Grill");
  const [inDecember, inJanuary] = ["+48600400401", "+48600400402"];
  const upDec = await goldOnDecember20(tenantId, inDecember);
  const upJan = await goldOnDecember20(tenantId, inJanuary);

  await apply(fullRefundAt(tenantId, upDec, 100, december(21)));
  await apply(fullRefundAt(tenantId, upJan, 100, january(2)));
  // December's year now holds 450 either way: silver, and the 100 gold paid is taken back.
  const expected = { tier: "silver", moves: ["earn 450", "earn 100", "bonus 100", "reverse -100", "bonus -100"] };
  expect(await standing(tenantId, inDecember)).toEqual(expected);
  expect(await standing(tenantId, inJanuary)).toEqual(expected);
});

it("refunded on 2 January beside a January sale, the same: one batch ends as two", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Batch Grill");
  const [one, two] = ["+48600400411", "+48600400412"];
  const upOne = await goldOnDecember20(tenantId, one);
  const upTwo = await goldOnDecember20(tenantId, two);
  await apply(saleAt(tenantId, two, 30, january(2)));
  await apply(fullRefundAt(tenantId, upTwo, 100, january(3)));
  await apply(saleAt(tenantId, one, 30, january(2)), fullRefundAt(tenantId, upOne, 100, january(3)));
  const [inOne, inTwo] = [await standing(tenantId, one), await standing(tenantId, two)];
  expect(inTwo).toEqual({
    tier: "silver",
    moves: ["earn 450", "earn 100", "bonus 100", "earn 30", "reverse -100", "bonus -100"],
  });
  expect(inOne).toEqual(inTwo);
});

it("refunded in January by a customer who already reached gold in the new year, gold and its reward stay", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Kept Grill");
  const phone = "+48600400421";
  const up = await goldOnDecember20(tenantId, phone);
  await apply(saleAt(tenantId, phone, 520, january(2))); // the new year alone qualifies for gold
  await apply(fullRefundAt(tenantId, up, 100, january(3)));
  expect(await standing(tenantId, phone)).toEqual({
    tier: "gold",
    moves: ["earn 450", "earn 100", "bonus 100", "earn 520", "reverse -100"],
  });
});

// A tier kept from an earlier year rests, after the next 1 January, on the year just ended: a refund of that year's
// sale made after the run judges it again, as the run would have had the refund come before it.
const kept = new Date().getUTCFullYear() - 3;
const on = (y: number, monthDay: string) => new Date(`${y}-${monthDay}T12:00:00+01:00`);

/** Gold from June of the year before `kept` (600), then 450 in June and 100 on 20 December of `kept`; the sales of 100 and 600 returned. */
async function goldHeldThrough(tenantId: string, phones: string[]) {
  const june = phones.map((phone) => saleAt(tenantId, phone, 600, on(kept - 1, "06-10")));
  await apply(...june);
  await tierPass(db, tenantId, on(kept, "01-01"));
  const december20 = [];
  for (const phone of phones) {
    await apply(saleAt(tenantId, phone, 450, on(kept, "06-10")));
    december20.push(saleAt(tenantId, phone, 100, on(kept, "12-20")));
  }
  await apply(...december20);
  await tierPass(db, tenantId, on(kept + 1, "01-01")); // 550 for the year: gold kept
  return { december20, june };
}
const tierChanges = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "tier.changed")).map((e) => e.payload as Record<string, unknown>);

it("a January refund of the December sale a tier kept from the year before rested on lowers it, as it lowers one reached that December", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Kept Tier Grill");
  const [held, reached] = ["+48600400441", "+48600400442"];
  const [december20] = (await goldHeldThrough(tenantId, [held])).december20;
  await apply(saleAt(tenantId, reached, 450, on(kept, "06-10")));
  const reachedOn20 = saleAt(tenantId, reached, 100, on(kept, "12-20"));
  await apply(reachedOn20);
  await tierPass(db, tenantId, on(kept + 1, "01-01"));
  expect([(await standing(tenantId, held)).tier, (await standing(tenantId, reached)).tier]).toEqual(["gold", "gold"]);

  const refund = fullRefundAt(tenantId, december20!, 100, on(kept + 1, "01-02"));
  await apply(refund, fullRefundAt(tenantId, reachedOn20, 100, on(kept + 1, "01-02")));
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone: held } });
  const announced = { id: `tier:${id}:refund:${refund.transactionId}`, from: "gold", to: "silver", direction: "down" };
  expect(await tierChanges(tenantId)).toContainEqual(expect.objectContaining(announced));
  const before = { standing: await standing(tenantId, held), changes: (await tierChanges(tenantId)).length };
  await apply(refund); // redelivered
  expect({ standing: await standing(tenantId, held), changes: (await tierChanges(tenantId)).length }).toEqual(before);

  for (const day of ["02-01", "06-01", "12-31"]) await tierPass(db, tenantId, on(kept + 1, day));
  // Both hold 450 for the year: silver, through the year the run would have given it for.
  expect([(await standing(tenantId, held)).tier, (await standing(tenantId, reached)).tier]).toEqual([
    "silver",
    "silver",
  ]);
});

it("the same refund leaves the tier to a floor in force, to the new year's points, and a refund of an older year alone", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Kept Tier Others Grill");
  const [floored, requalified, older] = ["+48600400451", "+48600400452", "+48600400453"];
  const { december20, june } = await goldHeldThrough(tenantId, [floored, requalified, older]);
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone: floored } });
  const inForce = (await programmeInForce(db, tenantId, on(kept + 1, "01-01")))!;
  const floor = { customerId: id, tier: "gold", until: on(kept + 1, "06-01"), reason: "status match" };
  await setTierFloor(db, tenantId, "key_admin", floor, inForce, on(kept + 1, "01-01"));
  await apply(saleAt(tenantId, requalified, 520, on(kept + 1, "01-01"))); // the new year alone earns gold
  const refundDay = on(kept + 1, "01-02");
  await apply(
    fullRefundAt(tenantId, december20[0]!, 100, refundDay),
    fullRefundAt(tenantId, december20[1]!, 100, refundDay),
    fullRefundAt(tenantId, june[2]!, 600, refundDay), // the year judged still holds 550
  );
  expect((await standing(tenantId, floored)).tier).toBe("gold");
  expect((await standing(tenantId, requalified)).tier).toBe("gold");
  expect((await standing(tenantId, older)).tier).toBe("gold");
  expect(await tierChanges(tenantId)).not.toContainEqual(expect.objectContaining({ to: "silver" }));
});

// A version raising gold to 800 after the year-end run kept gold on 720 did not judge the closed year: that threshold
// acts at the end of the new year, not through a January refund of a December sale.
it("a January refund that reverses no points leaves gold the run kept, though a version raised gold since", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Raised Gold Grill");
  const phone = "+48600400461";
  await apply(saleAt(tenantId, phone, 600, on(kept - 1, "06-10")));
  await tierPass(db, tenantId, on(kept, "01-01"));
  await apply(saleAt(tenantId, phone, 620, on(kept, "06-10")));
  const december = txMessage(
    tenantId,
    {
      customer: { phone },
      lines: [line("MEAL", 10_000), line("SAUCE", 40)],
      occurredAt: on(kept, "12-20").toISOString(),
    },
    on(kept, "12-21"),
  );
  await apply(december);
  await tierPass(db, tenantId, on(kept + 1, "01-01")); // 720 for the year: gold kept
  const raised = {
    ...programme,
    tiers: {
      ...programme.tiers,
      levels: programme.tiers.levels.map((l) => (l.id === "gold" ? { ...l, threshold: 800 } : l)),
    },
  };
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom: on(kept + 1, "01-10"),
      config: ProgrammeConfig.parse(raised),
      createdBy: "t",
    },
  });

  const sauceBack = refundOf(tenantId, december, [line("SAUCE", 40, { lineNo: 1 })], {
    occurredAt: on(kept + 1, "01-20").toISOString(),
  });
  await apply(sauceBack);
  expect(await standing(tenantId, phone)).toEqual({
    tier: "gold",
    moves: ["earn 600", "bonus 100", "earn 620", "earn 100"],
  });
  expect(await tierChanges(tenantId)).not.toContainEqual(expect.objectContaining({ direction: "down" }));
});

it("a January refund taking 10 of the 720 points back judges the year by the gold the run kept, not one raised since", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Raised Gold Diner");
  const phone = "+48600400462";
  await apply(saleAt(tenantId, phone, 600, on(kept - 1, "06-10")));
  await tierPass(db, tenantId, on(kept, "01-01"));
  await apply(saleAt(tenantId, phone, 620, on(kept, "06-10")));
  const december = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", 10_000)], occurredAt: on(kept, "12-20").toISOString() },
    on(kept, "12-21"),
  );
  await apply(december);
  await tierPass(db, tenantId, on(kept + 1, "01-01")); // 720 for the year: gold kept
  const raised = {
    ...programme,
    tiers: {
      ...programme.tiers,
      levels: programme.tiers.levels.map((l) => (l.id === "gold" ? { ...l, threshold: 800 } : l)),
    },
  };
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom: on(kept + 1, "01-10"),
      config: ProgrammeConfig.parse(raised),
      createdBy: "t",
    },
  });

  // 710 left: gold by the 500 the run judged with, silver by today's 800.
  await apply(
    refundOf(tenantId, december, [line("MEAL", 1_000, { lineNo: 0 })], {
      occurredAt: on(kept + 1, "01-20").toISOString(),
    }),
  );
  expect((await standing(tenantId, phone)).tier).toBe("gold");
  expect(await tierChanges(tenantId)).not.toContainEqual(expect.objectContaining({ direction: "down" }));
});

/** Every statement a batch's transaction sends to Postgres, counted (as `apply-batch-refunds-checkout` counts). */
function countingRunner(runner: TransactionRunner): { runner: TransactionRunner; statements: () => number } {
  let statements = 0;
  const counted = <F extends (...args: never[]) => unknown>(f: F): F =>
    ((...args: Parameters<F>) => {
      statements++;
      return f(...args);
    }) as F;
  return {
    runner: {
      run: (fn) =>
        runner.run((tx) =>
          fn({
            $queryRaw: counted(tx.$queryRaw),
            $executeRaw: counted(tx.$executeRaw),
            $queryRawUnsafe: counted(tx.$queryRawUnsafe),
            $executeRawUnsafe: counted(tx.$executeRawUnsafe),
          } as RawTx),
        ),
      close: async () => {},
    },
    statements: () => statements,
  };
}

it("reads December once more for a batch of refunds reaching into it, however many, and nothing more otherwise", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Reads Grill");
  let phone = 400430;
  /** Sales of 50 (bronze, no tier moves) made at `soldAt` for `count` customers, refunded in one batch on 3 January. */
  const statementsToRefund = async (count: number, soldAt: Date) => {
    const sales = Array.from({ length: count }, () => saleAt(tenantId, `+48600${++phone}`, 50, soldAt));
    for (const sale of sales) await apply(sale);
    const deps = ledgerDeps(db);
    const counting = countingRunner(deps.transactions);
    const refunds = sales.map((sale) => fullRefundAt(tenantId, sale, 50, january(3)));
    const { outcomes } = await applyTransactionBatch({ ...deps, transactions: counting.runner }, refunds);
    expect(outcomes.map((o) => o.kind)).toEqual(refunds.map(() => "done"));
    return counting.statements();
  };
  const inWindow = await statementsToRefund(2, january(2));
  expect(await statementsToRefund(2, december(20))).toBe(inWindow + 1);
  expect(await statementsToRefund(5, december(20))).toBe(inWindow + 1);
});
