import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantLocalTime } from "../src/effective-from.ts";
import { ScheduledAhead } from "../src/plan-change.ts";
import { changeProgramme } from "../src/versions.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const change = (tenantId: string, edit: Parameters<typeof changeProgramme>[1]["edit"], effectiveFrom?: Date) =>
  changeProgramme(db, { tenantId, actor: "key_test", action: "programme.test", target: null, edit, effectiveFrom });
const caught = (work: Promise<unknown>) =>
  work.then(
    () => new Error("expected a refusal"),
    (e: Error) => e,
  );

describe("refusals naming a scheduled version's time", () => {
  it("give it on the tenant's clock, with the exact instant for an API client to send", async () => {
    const { tenantId } = await testTenant(db, "Refusal Grill", "Asia/Kolkata");
    const from = new Date(Date.now() + 3_600_000);
    await change(tenantId, (c) => ({ ...c, pendingDays: 5 }), from);

    const early = await caught(change(tenantId, (c) => ({ ...c, pendingDays: 6 })));
    expect(early).toBeInstanceOf(ScheduledAhead);
    // Kolkata is UTC+05:30 all year: its wall clock never reads as UTC does.
    expect(early.message).toContain(`must not be earlier than ${tenantLocalTime(from, "Asia/Kolkata")} (`);
    expect(early.message).toContain("Asia/Kolkata");

    const both = await caught(
      changeProgramme(db, {
        tenantId,
        actor: "key_test",
        action: "programme.test",
        target: null,
        edit: (c) => ({ ...c, pendingDays: 7 }),
        alsoScheduled: true,
      }),
    );
    expect(both.message).toContain(`version 2, scheduled from ${tenantLocalTime(from, "Asia/Kolkata")} (`);
  });
});
