import type { Db } from "@regulars/db";
import { recordRejections } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let mine: Awaited<ReturnType<typeof tenantCallers>>;
let theirs: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  mine = await tenantCallers(db, "Refused Grill");
  theirs = await tenantCallers(db, "Other Grill");
  // Several rejections share one commit's timestamp, as a batch's do: paging must not skip or repeat them.
  await recordRejections(
    db,
    ["R-1", "R-2", "R-3", "R-4", "R-5"].map((externalId, i) => ({
      tenantId: mine.tenantId,
      externalId,
      bodyHash: `h${i}`,
      code: i % 2 ? "refunded_sale_not_found" : "unknown_customer",
      message: `reason of ${externalId}`,
    })),
  );
  await recordRejections(db, [
    {
      tenantId: mine.tenantId,
      externalId: "R-1",
      bodyHash: "other-body",
      code: "idempotency_conflict",
      message: "R-1 again with another body",
    },
    { tenantId: theirs.tenantId, externalId: "T-1", bodyHash: "h", code: "unknown_customer", message: "theirs" },
  ]);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("transactions.rejections", () => {
  it("pages through every rejection of the caller's tenant, each once, with its code and message", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof mine.admin.transactions.rejections>> =
        await mine.admin.transactions.rejections({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => `${r.externalId}:${r.code}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([
      "R-1:idempotency_conflict",
      "R-1:unknown_customer",
      "R-2:refunded_sale_not_found",
      "R-3:unknown_customer",
      "R-4:refunded_sale_not_found",
      "R-5:unknown_customer",
    ]);
    const first = (await mine.admin.transactions.rejections()).items.find((r) => r.externalId === "R-3");
    expect(first).toEqual({
      externalId: "R-3",
      code: "unknown_customer",
      message: "reason of R-3",
      rejectedAt: expect.any(String),
    });
  });

  it("lists newest first", async () => {
    const { items } = await mine.admin.transactions.rejections();
    const times = items.map((r) => Date.parse(r.rejectedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items[0]?.code).toBe("idempotency_conflict"); // recorded after the batch
  });

  it("filters by reason code", async () => {
    const { items } = await mine.admin.transactions.rejections({ code: "refunded_sale_not_found" });
    expect(items.map((r) => r.externalId).sort()).toEqual(["R-2", "R-4"]);
    expect((await failure(mine.admin.transactions.rejections({ code: "nonsense" as never }))).code).toBe("BAD_REQUEST");
  });

  it("never shows another tenant's rejections", async () => {
    const { items } = await theirs.admin.transactions.rejections();
    expect(items.map((r) => r.externalId)).toEqual(["T-1"]);
  });

  it("takes the direction an infinite query sends beside its cursor", async () => {
    const { items } = await mine.admin.transactions.rejections({ cursor: null, direction: "forward" } as never);
    expect(items).toHaveLength(6);
  });

  it("an unreadable cursor starts from the newest instead of failing", async () => {
    const { items } = await mine.admin.transactions.rejections({ cursor: "not-a-cursor" });
    expect(items).toHaveLength(6);
  });

  it("a crafted cursor the stores cannot compare starts from the newest too", async () => {
    const craft = (position: unknown) => Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
    const newest = new Date().toISOString();
    for (const position of [
      ["-005000-01-01T00:00:00.000Z", "a", "b"],
      ["-271821-04-20T00:00:00.000Z", "a", "b"],
      ["+275760-09-13T00:00:00.000Z", "a", "b"],
      ["2026-02-30T00:00:00.000Z", "a", "b"],
      [newest, "a\u0000", "b"],
      [newest, "a", "b\u0000"],
    ]) {
      const { items } = await mine.admin.transactions.rejections({ cursor: craft(position) });
      expect(items, JSON.stringify(position)).toHaveLength(6);
    }
  });

  it("is for admin keys only", async () => {
    for (const caller of [mine.pos, mine.kiosk, mine.analyst])
      expect((await failure(caller.transactions.rejections())).code).toBe("FORBIDDEN");
  });
});
