import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import { registerCustomer, savePushToken, setConsents, updateProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// An app that still holds an erased customer's id (a stale session, a background sync) must not write personal
// data back: nothing re-scrubs the customers row, and consents or a device would make them reachable again.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const at = new Date();
const origin = { actor: "key_app", source: "app", now: at };

async function erasedCustomer() {
  const { tenantId } = await privacyTenant(db, "Erased Stays Erased");
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "brand", subject: `stale-${Math.random()}` },
      name: "Ada",
      email: "ada@example.com",
    }),
    origin,
  );
  await eraseCustomer({ db }, tenantId, customer.id, { actor: "key_admin", cause: "request", now: at });
  return { tenantId, customerId: customer.id };
}

describe("an erased customer", () => {
  it("takes no profile change: the scrubbed row stays empty", async () => {
    const { tenantId, customerId } = await erasedCustomer();
    const later = { ...origin, now: new Date(at.getTime() + 60_000) };
    await expect(
      updateProfile(db, tenantId, customerId, UpdateProfileRequest.parse({ name: "Ada N", email: "a@x.io" }), later),
    ).rejects.toMatchObject({ code: "not_found" });
    const [row] = await db.$queryRaw<{ name: string | null; email: string | null }[]>`
      SELECT name, email FROM customers WHERE id = ${customerId}`;
    expect(row).toEqual({ name: null, email: null });
  });

  it("takes no consent and no push device", async () => {
    const { tenantId, customerId } = await erasedCustomer();
    const later = { ...origin, now: new Date(at.getTime() + 60_000) };
    await expect(
      setConsents(
        db,
        tenantId,
        customerId,
        { consents: [{ channel: "push", purpose: "marketing", granted: true }] },
        later,
      ),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(
      savePushToken(db, tenantId, customerId, { deviceId: "dev-1", platform: "ios", token: "tok-erased" }, later.now),
    ).rejects.toMatchObject({ code: "not_found" });
    const [n] = await db.$queryRaw<{ c: bigint; t: bigint }[]>`
      SELECT (SELECT count(*) FROM customer_consents WHERE customer_id = ${customerId}) AS c,
        (SELECT count(*) FROM customer_push_tokens WHERE customer_id = ${customerId}) AS t`;
    expect(n).toEqual({ c: 0n, t: 0n });
  });
});
