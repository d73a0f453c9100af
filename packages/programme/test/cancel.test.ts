import { defaultOccurredAtWindow } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProgrammeCache } from "../src/cache.ts";
import { CANCEL_ACTION, cancelScheduledVersion } from "../src/cancel.ts";
import { setPendingDays } from "../src/edits.ts";
import { tenantLocalTime } from "../src/effective-from.ts";
import { changeProgramme, listVersions, programmeAt, programmeVersion } from "../src/versions.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const inMs = (ms: number) => new Date(Date.now() + ms);

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const warsawTenant = async () => (await testTenant(db, "Cancel Grill", "Europe/Warsaw")).tenantId;
const pendingDays = (tenantId: string, days: number, effectiveFrom?: Date, alsoScheduled?: boolean) =>
  changeProgramme(db, {
    tenantId,
    actor: "key_test",
    action: "programme.pendingDays.set",
    target: null,
    edit: (c) => setPendingDays(c, days),
    effectiveFrom,
    alsoScheduled,
  });
const cancel = (tenantId: string, version: number) =>
  cancelScheduledVersion(db, { tenantId, actor: "key_test", version });
const refusal = async (work: Promise<unknown>): Promise<DomainError> => {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
};
const numbers = async (tenantId: string) => (await listVersions(db, tenantId)).map((v) => v.version);

describe("cancelScheduledVersion", () => {
  it("removes the scheduled version, audits it with its document, and the version before stays in force then", async () => {
    const tenantId = await warsawTenant();
    const from = inMs(HOUR);
    await pendingDays(tenantId, 9, from);
    expect((await programmeAt(db, tenantId, from)).version).toBe(2);

    const cancelled = await cancel(tenantId, 2);
    expect(cancelled).toEqual({ version: 2, effectiveFrom: from.toISOString(), removed: [2] });
    expect(await numbers(tenantId)).toEqual([1]);
    expect((await programmeAt(db, tenantId, from)).version).toBe(1);
    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: CANCEL_ACTION } });
    expect(audit).toMatchObject({ actor: "key_test", target: "2" });
    expect(audit.details).toMatchObject({ version: 2, effectiveFrom: from.toISOString(), config: { pendingDays: 9 } });
  });

  it("never gives a cancelled number again, and history compares the next version with the one it was made from", async () => {
    const tenantId = await warsawTenant();
    await pendingDays(tenantId, 9, inMs(HOUR));
    await cancel(tenantId, 2);
    const next = await pendingDays(tenantId, 4);
    expect(next.version).toBe(3);
    const [newest] = await listVersions(db, tenantId);
    expect(newest).toMatchObject({ version: 3, inForce: true, basedOn: 1 });
    expect((await programmeVersion(db, tenantId, newest!.basedOn)).version).toBe(1);
  });

  it("refuses a version in force or in the past, naming its time on the tenant's clock", async () => {
    const tenantId = await warsawTenant();
    await pendingDays(tenantId, 3);
    for (const version of [2, 1]) {
      const error = await refusal(cancel(tenantId, version));
      expect(error.code).toBe("conflict");
      expect(error.message).toContain(`version ${version} took effect at`);
      expect(error.message).toContain("Europe/Warsaw");
    }
    expect(await numbers(tenantId)).toEqual([2, 1]);
  });

  it("refuses a version within the clock-skew allowance of its start: a sale stamped ahead may use it", async () => {
    const tenantId = await warsawTenant();
    const now = new Date();
    const soon = new Date(now.getTime() + 2 * MINUTE);
    await pendingDays(tenantId, 9, soon);
    const error = await refusal(cancelScheduledVersion(db, { tenantId, actor: "key_test", version: 2 }, now));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("version 2 takes effect at");
    expect(error.message).toContain("too close to cancel");
    const { maxAheadSeconds } = defaultOccurredAtWindow;
    expect(error.message).toContain(`${maxAheadSeconds} seconds ahead`);
    expect(error.message).toContain(
      `only before ${tenantLocalTime(new Date(soon.getTime() - maxAheadSeconds * 1_000), "Europe/Warsaw")}`,
    );
    expect(await numbers(tenantId)).toEqual([2, 1]);
    // A gateway configured with a narrower allowance narrows the refusal with it.
    const narrow = { tenantId, actor: "key_test", version: 2, occurredAtMaxAheadSeconds: 60 };
    expect((await cancelScheduledVersion(db, narrow, now)).removed).toEqual([2]);

    await pendingDays(tenantId, 8, new Date(now.getTime() + 10 * MINUTE));
    const later = await cancelScheduledVersion(db, { tenantId, actor: "key_test", version: 3 }, now);
    expect(later.removed).toEqual([3]);
    expect(await numbers(tenantId)).toEqual([1]);
  });

  it("refuses a version that does not exist, or is another tenant's", async () => {
    const mine = await warsawTenant();
    const theirs = await warsawTenant();
    await pendingDays(theirs, 9, inMs(HOUR));
    for (const version of [0, 2, 99]) expect((await refusal(cancel(mine, version))).code).toBe("not_found");
    expect(await numbers(theirs)).toEqual([2, 1]);
    expect(await db.auditLog.count({ where: { tenantId: { in: [mine, theirs] }, action: CANCEL_ACTION } })).toBe(0);
  });

  it("refuses a scheduled version a later one was made from, naming the later one", async () => {
    const tenantId = await warsawTenant();
    await pendingDays(tenantId, 5, inMs(HOUR));
    await pendingDays(tenantId, 6, inMs(2 * HOUR));
    const error = await refusal(cancel(tenantId, 2));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("cancel version 3 first");
    expect((await cancel(tenantId, 3)).removed).toEqual([3]);
    expect((await cancel(tenantId, 2)).removed).toEqual([2]);
    expect(await numbers(tenantId)).toEqual([1]);
  });

  it("takes with it the version it replaced at the same instant, which would otherwise come into force", async () => {
    const tenantId = await warsawTenant();
    const from = inMs(HOUR);
    await pendingDays(tenantId, 9, from);
    // Made to the version in force and the scheduled one alike: 3 from now, 4 replacing 2 at `from`.
    await changeProgramme(db, {
      tenantId,
      actor: "key_test",
      action: "programme.caps.set",
      target: null,
      edit: (c) => ({ ...c, caps: { perDay: 100 } }),
      alsoScheduled: true,
    });
    expect(await numbers(tenantId)).toEqual([4, 3, 2, 1]);
    expect((await cancel(tenantId, 4)).removed).toEqual([4, 2]);
    const then = await programmeAt(db, tenantId, from);
    expect(then).toMatchObject({ version: 3, config: { caps: { perDay: 100 } } });
    expect(then.config.pendingDays).not.toBe(9);
  });

  it("reaches another process's programme cache on its next refresh, as any change does", async () => {
    const tenantId = await warsawTenant();
    const from = inMs(HOUR);
    await pendingDays(tenantId, 9, from);
    const elsewhere = testDb();
    try {
      const cache = new ProgrammeCache(elsewhere);
      expect((await cache.inForce(tenantId, from))?.version).toBe(2);
      await cancel(tenantId, 2);
      await cache.refresh([tenantId]);
      expect((await cache.inForce(tenantId, from))?.version).toBe(1);
      // The next version takes a new number, so a cache that saw the cancelled one sees this one too.
      await pendingDays(tenantId, 7, from);
      await cache.refresh([tenantId]);
      expect(await cache.inForce(tenantId, from)).toMatchObject({ version: 3, config: { pendingDays: 7 } });
    } finally {
      await elsewhere.$disconnect();
    }
  });
});
