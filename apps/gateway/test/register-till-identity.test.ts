import { createCampaign, walletCoupons } from "@regulars/checkout-store";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { baseRateProgramme, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

// `POST /v1/customers` for a sign-in identity a kiosk named a customer by before the app registered it: the app's
// first call is the sign-up (its consents kept, the welcome coupon issued), the next one a sign-in.

let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  tenant = await testTenant(db, "Till Identity Door");
  await baseRateProgramme(db, tenant.tenantId);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const register = async (body: unknown) => {
  const res = await gateway.request("/v1/customers", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.app}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** The kiosk's sale naming the customer by the sign-in identity, applied as the ledger worker applies it. */
async function kioskSale(externalIdentity: { provider: string; subject: string }) {
  const { tenantId } = tenant;
  const transaction = TransactionInput.parse({
    externalId: `KIOSK-${now.getTime()}`,
    type: "sale",
    occurredAt: new Date(now.getTime() - 10 * 60_000).toISOString(),
    locationId: "store-001",
    channel: "kiosk",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1_000, discount: 0, tags: [] }],
    total: 1_000,
    customer: { externalIdentity },
  });
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  const { outcomes } = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
    { tenantId, transactionId, receivedAt: now.toISOString(), transaction },
  ]);
  expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
}

it("registers the kiosk's customer on the app's first call, and answers a sign-in on the next", async () => {
  const welcome = await createCampaign(
    db,
    tenant.tenantId,
    {
      name: "Welcome",
      benefit: { kind: "fixed_off", amount: 100 },
      codes: { kind: "unique", pattern: "HELLO-XXXXX" },
      issueOnRegistration: true,
    },
    "key_admin",
  );
  const ext = { provider: "apple", subject: `001234.kiosk.${now.getTime()}` };
  await kioskSale(ext);
  const consents = [{ channel: "email", purpose: "marketing", granted: true }];

  const first = await register({ externalIdentity: ext, name: "Ada", email: "ada@example.com", consents });

  expect(first).toMatchObject({
    status: 200,
    body: {
      outcome: "linked",
      customer: {
        name: "Ada",
        email: "ada@example.com",
        registeredAt: now.toISOString(),
        consents: [expect.objectContaining({ channel: "email", purpose: "marketing", granted: true })],
      },
    },
  });
  const id = first.body.customer.id as string;
  expect((await walletCoupons(db, tenant.tenantId, id)).map((w) => w.campaignId)).toEqual([welcome.id]);

  const again = await register({ externalIdentity: ext, name: "Someone Else" });
  expect(again).toMatchObject({ status: 200, body: { outcome: "existing", customer: { id, name: "Ada" } } });
  expect(await walletCoupons(db, tenant.tenantId, id)).toHaveLength(1);
});
