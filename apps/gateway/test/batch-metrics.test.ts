import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A till misconfigured so that every transaction it posts is refused must not look healthy on /metrics: each refusal
 * is counted by its code, whether the item of a batch upload (answered 202 all the same) or a single post's 4xx.
 */
let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenant: CreatedTenant;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ unknownCodeLimit: { limit: 3, windowSeconds: 60 } }));
  tenant = await testTenant(db, "Misconfigured Tills");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = (path: string, body: unknown) =>
  gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** The value of a counter line of the gateway's /metrics, 0 when the line is absent. */
async function metric(name: string, labels: string): Promise<number> {
  const text = await (await gateway.request("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
const refused = (code: string) => metric("regulars_gateway_transactions_refused_total", `code="${code}"`);

it("counts each refused item of a batch by its code, though the batch is answered 202", async () => {
  const before = await refused("invalid_request");
  const res = await post("/v1/transactions/batch", {
    transactions: [saleBody(), saleBody({ currency: "PLN" }), saleBody({ total: -100 })],
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ accepted: 1, invalid: 2 });
  expect((await refused("invalid_request")) - before).toBe(2);
});

it("counts a batch's throttled items as refused too", async () => {
  const guesser = await testTenant(db, "Code Guessing Till");
  const keyId = (await db.apiKey.findFirstOrThrow({ where: { tenantId: guesser.tenantId, role: "pos" } })).id;
  // The key was told of 3 unknown codes 15 s ago: its sales with codes wait out the window.
  await db.$executeRaw`
    INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
    VALUES (${guesser.tenantId}, ${keyId}, ${new Date(Date.now() - 15_000)}, 3)`;
  const before = await refused("rate_limited");
  const res = await gateway.request("/v1/transactions/batch", {
    method: "POST",
    headers: { authorization: `Bearer ${guesser.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify({ transactions: [saleBody({ couponCodes: ["GUESS-1AB"] }), saleBody()] }),
  });
  expect(await res.json()).toMatchObject({ accepted: 1, throttled: 1 });
  expect((await refused("rate_limited")) - before).toBe(1);
});

it("counts a single post refused with a domain error by its code, and not one accepted", async () => {
  const invalid = await refused("invalid_request");
  const outOfRange = await refused("occurred_at_out_of_range");
  expect((await post("/v1/transactions", saleBody({ currency: "PLN" }))).status).toBe(400);
  const longAgo = new Date(Date.now() - 400 * 86_400_000).toISOString();
  expect((await post("/v1/transactions", saleBody({ occurredAt: longAgo }))).status).toBe(400);
  expect((await post("/v1/transactions", saleBody())).status).toBe(202);
  expect((await refused("invalid_request")) - invalid).toBe(1);
  expect((await refused("occurred_at_out_of_range")) - outOfRange).toBe(1);
});
