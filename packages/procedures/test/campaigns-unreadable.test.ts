import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

// A campaign whose stored definition this release cannot read (a newer release's, written mid-deploy) over tRPC:
// opening it answers why in words, not an internal error; the list shows it, and an admin can pause and archive it.

let db: Db;
let mine: Awaited<ReturnType<typeof tenantCallers>>;
beforeAll(async () => {
  db = testDb();
  mine = await tenantCallers(db, "Unreadable Campaign Diner");
});
afterAll(async () => {
  await db?.$disconnect();
});

async function fromNewerRelease(tenantId: string): Promise<string> {
  const id = newId("campaign");
  const definition = JSON.stringify({
    schemaVersion: 2,
    name: "From the next release",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: "registered" },
    actions: [{ type: "award_points", points: 5, reason: "Newer" }],
  });
  await db.$executeRaw`
    INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, created_by)
    VALUES (${id}, ${tenantId}, 'From the next release', 'active', 'registered', 1, 'test')`;
  await db.$executeRaw`
    INSERT INTO campaign_versions (tenant_id, campaign_id, version, definition, created_by)
    VALUES (${tenantId}, ${id}, 1, ${definition}::jsonb, 'test')`;
  return id;
}

it("opening it answers why in words; it is listed, and an admin pauses and archives it", async () => {
  const id = await fromNewerRelease(mine.tenantId);

  const opened = await failure(mine.analyst.campaigns.get({ id }));
  expect(opened.code).toBe("UNPROCESSABLE_CONTENT");
  expect(opened.message).toMatch(/saved by a newer release \(schema version 2; this release reads 1\)/);
  expect(opened.message).not.toMatch(/ZodError|invalid_|\n\s+at /);
  expect(issuesOf(opened)?.map((i) => i.path)).toContain("schemaVersion");
  expect((await failure(mine.admin.campaigns.version({ id, version: 1 }))).code).toBe("UNPROCESSABLE_CONTENT");

  const listed = await mine.analyst.campaigns.list({ limit: 20 });
  expect(listed.items.map((c) => [c.id, c.status])).toContainEqual([id, "active"]);

  expect(await mine.admin.campaigns.pause({ id })).toMatchObject({ id, status: "paused", definition: null });
  const resumed = await failure(mine.admin.campaigns.resume({ id }));
  expect(resumed.code).toBe("UNPROCESSABLE_CONTENT");
  expect(await mine.admin.campaigns.archive({ id })).toMatchObject({ id, status: "archived" });
});
