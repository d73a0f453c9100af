import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
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
