import { createCampaign } from "@regulars/checkout-store";
import { HoldRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { type HoldDeps, placeHold } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateProfile } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

// A till's checkout hold names the till's customer by id; the app account proving that customer's phone merges it
// meanwhile. A hold that looked "not merged" up before the merge committed and took the customer's lock after it
// must follow to the survivor, where the merge moved the coupon uses: read on the emptied row, a per-customer limit
// counts none of them, and the hold lands where no later merge or limit looks.

let db: Db;
let tenantId: string;
let deps: HoldDeps;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await loyaltyTenant(db, "Merge Hold Race Burgers"));
  deps = { db, programmes: new ProgrammeCache(db, 0), sendConfirmationSms: async () => undefined };
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, tillCustomer } = mergeParties(() => db, "+48611", now);

async function parties() {
  const phone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_000 }, now));
  return { phone, till: await tillCustomer(tenantId, phone), app: await appAccount(tenantId) };
}

let codes = 0;
/** A generic code of an active campaign, with the limits given. */
async function coupon(limits: Record<string, number>) {
  const code = `RACE${++codes}`;
  await createCampaign(
    db,
    tenantId,
    { name: code, benefit: { kind: "fixed_off", amount: 100 }, codes: { kind: "generic", code }, limits },
    "key_admin",
  );
  return code;
}

const holdFor = (customerId: string, code: string) =>
  HoldRequest.parse({
    customer: { id: customerId },
    basket: {
      locationId: "store-001",
      channel: "pos",
      currency: "EUR",
      lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1_200, discount: 0, tags: [] }],
    },
    couponCodes: [code],
  });

/** The app account proves the till's phone, held open after the merge; it commits once the hold waits for it. */
function raceWithMerge<T>(app: string, phone: string, hold: () => Promise<T>): Promise<T> {
  const merge = async (tx: DbTx) => {
    const update = UpdateProfileRequest.parse({ phone, phoneVerified: true });
    expect((await updateProfile(tx, tenantId, app, update, appOrigin(now))).mergedCustomerIds).toHaveLength(1);
  };
  return raceWithHeldTransaction(testDatabaseUrl(), db, merge, hold, "the hold");
}

const heldUses = (code: string) =>
  db.$queryRaw<{ customer_id: string; hold_customer: string }[]>`
    SELECT u.customer_id, h.customer_id AS hold_customer FROM coupon_uses u JOIN checkout_holds h ON h.id = u.hold_id
    WHERE u.tenant_id = ${tenantId} AND u.code = ${code} AND u.status = 'held'`;

describe("a checkout hold racing the merge of its customer", () => {
  it("is booked against the survivor, not the merged-away id", async () => {
    const { phone, till, app } = await parties();
    const code = await coupon({});

    await raceWithMerge(app, phone, () => placeHold(deps, tenantId, holdFor(till, code)));

    expect(await heldUses(code)).toEqual([{ customer_id: app, hold_customer: app }]);
  });

  it("counts the survivor's uses: a once-per-customer coupon the app account holds is refused", async () => {
    const { phone, till, app } = await parties();
    const code = await coupon({ perCustomer: 1 });
    await placeHold(deps, tenantId, holdFor(app, code));

    const raced = raceWithMerge(app, phone, () => placeHold(deps, tenantId, holdFor(till, code)));

    await expect(raced).rejects.toMatchObject({
      code: "hold_refused",
      issues: [expect.objectContaining({ message: expect.stringMatching(/^customer_limit_reached:/) })],
    });
    expect(await heldUses(code)).toEqual([{ customer_id: app, hold_customer: app }]);
  });
});
