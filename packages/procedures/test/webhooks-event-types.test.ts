import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Event Types Diner");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("webhooks.endpoints.eventTypes", () => {
  it("offers every subscribable type and the message group, each one an endpoint accepts", async () => {
    const types = await t.admin.webhooks.endpoints.eventTypes();
    expect(types).toContain("transaction.processed");
    expect(types).toContain("message.*");
    expect(types).not.toContain("event.recorded");
    const created = await t.admin.webhooks.endpoints.create({
      url: "https://hooks.example.com/all",
      eventTypes: types,
    });
    expect(created.endpoint.eventTypes).toEqual(types);
  });

  it("is for admin keys only", async () => {
    for (const caller of [t.pos, t.kiosk, t.analyst])
      expect((await failure(caller.webhooks.endpoints.eventTypes())).code).toBe("FORBIDDEN");
  });
});
