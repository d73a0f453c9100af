import { ExternalId } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import { errorCodes } from "@regulars/errors";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, testDatabaseUrl, testTenant } from "@regulars/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyPlan, type Json, realise } from "./fuzz-inputs.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/**
 * Every edge answers whatever it is sent: never a 5xx, never silence, and what it refuses leaves no
 * trace (nothing published, stored, versioned, moved or audited). Bounded runs, so CI stays fast;
 * the counts are printed so a run says how much it tried.
 */
const RUNS = { transactions: 300, events: 150, trpc: 400 };
const ANSWER_WITHIN_MS = 15_000;

let system: TestSystem;
let db: Db;
let gatewayTenant: CreatedTenant;
let apiTenant: CreatedTenant;
let customerId: string;
let knownSale: string;
let serial = 0;
const fresh = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`;

beforeAll(async () => {
  const unlimited = {
    RATE_LIMIT_POS: "off",
    RATE_LIMIT_KIOSK: "off",
    RATE_LIMIT_ADMIN: "off",
    RATE_LIMIT_ANALYST: "off",
  };
  system = await startTestSystem(unlimited);
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  gatewayTenant = await testTenant(db, "Fuzzed Door");
  apiTenant = await testTenant(db, "Fuzzed Admin");
  // The tRPC tenant has one customer with one processed sale, so valid inputs reach real rows.
  knownSale = fresh("setup");
  expect(
    (await system.post("/v1/transactions", apiTenant.apiKeys.pos, saleTemplate(knownSale, "+48600777001"))).status,
  ).toBe(202);
  const processed = await eventually(
    "setup sale processed",
    async () =>
      (await db.transaction.findFirst({
        where: { tenantId: apiTenant.tenantId, externalId: knownSale },
        select: { customerId: true },
      })) ?? undefined,
  );
  customerId = processed.customerId!;
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

function saleTemplate(externalId: string, phone: string | null = "+48600100200"): Record<string, Json> {
  return {
    externalId,
    type: "sale",
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    locationId: "store-017",
    channel: "pos",
    ...(phone ? { customer: { phone } } : {}),
    currency: "EUR",
    lines: [
      {
        sku: "FRIES-L",
        name: "Fries large",
        category: "sides",
        tags: ["vegetarian"],
        quantity: 2,
        unitPrice: 350,
        discount: 0,
      },
      { sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 790, discount: 40 },
    ],
    total: 1450,
  };
}
const transactionTemplates = (): Json[] => {
  const sale = saleTemplate(fresh("fz"));
  const refund = {
    ...saleTemplate(fresh("fz"), null),
    type: "refund",
    refundOf: sale.externalId!,
    lines: [{ sku: "FRIES-L", name: "Fries large", quantity: 1, unitPrice: 350 }],
    total: 350,
  };
  return [sale, refund, saleTemplate(fresh("fz"), null)];
};
// Posted with a pos key, which may name channel pos only: another channel stops at 403 before the accepted path.
const eventTemplates = (): Json[] => [
  {
    eventId: fresh("ev"),
    type: "app_open",
    occurredAt: new Date().toISOString(),
    customer: { phone: "+48600100200" },
    channel: "pos",
  },
  {
    eventId: fresh("ev"),
    type: "form_submitted",
    occurredAt: new Date().toISOString(),
    customer: { cardNumber: "CARD-0001" },
    locationId: "store-017",
    properties: { form: "profile", n: 3, nested: { a: [1, "x"] } },
  },
];

async function send(url: string, init: RequestInit): Promise<{ status: number; text: string; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

/** A URL carries UTF-8: a lone surrogate goes as U+FFFD, as it would in a POST body. */
const wellFormed = (text: string) =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

const knownCodes = Object.keys(errorCodes);
/** Refusals carry the one error body (at the top for HTTP-level refusals, in `data.error` for procedures) and no internals. */
function expectRefusal(res: { status: number; text: string; body: any }, what: string) {
  expect(res.status, `${what} answered ${res.status}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  // Node's HTTP parser refuses a URL past its header limit before any code of ours runs.
  if (res.status === 431 || res.status === 414) return;
  const error = res.body?.error?.data?.error ?? res.body;
  expect(knownCodes, `${what}: ${res.text.slice(0, 300)}`).toContain(error?.code);
  expect(typeof error.message, what).toBe("string");
  expect(res.text, what).not.toMatch(/\.ts:\d+|node_modules|\n\s+at /);
}

const lastSequence = async (stream: string) => (await system.bus.jsm.streams.info(stream)).state.last_seq;

function report(edge: string, statuses: Map<number, number>) {
  const tried = [...statuses.values()].reduce((a, b) => a + b, 0);
  const byStatus = [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  console.info(`fuzz ${edge}: ${tried} inputs tried (${byStatus})`);
}
const count = (statuses: Map<number, number>, status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

describe("fuzzing the gateway", () => {
  const gatewayEdge = (path: string, stream: () => string, templates: () => Json[], idField: string) => async () => {
    const statuses = new Map<number, number>();
    const accepted = new Set<string>();
    await fc.assert(
      fc.asyncProperty(bodyPlan(templates().length), async (plan) => {
        const { text, parsed } = realise(plan, templates());
        const before = await lastSequence(stream());
        const res = await send(`${system.gatewayUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gatewayTenant.apiKeys.pos}` },
          body: text,
        });
        count(statuses, res.status);
        if (res.status === 202) {
          accepted.add(res.body[idField]);
          return;
        }
        expectRefusal(res, `POST ${path} ${text.slice(0, 200)}`);
        expect(await lastSequence(stream()), `nothing published for a refused ${text.slice(0, 200)}`).toBe(before);
        const id = (parsed as Record<string, unknown> | undefined)?.[idField];
        // An id that could never be stored (a NUL, a space) cannot be looked up either.
        if (path === "/v1/transactions" && ExternalId.safeParse(id).success && !accepted.has(id as string)) {
          expect(
            await db.transaction.count({ where: { tenantId: gatewayTenant.tenantId, externalId: id as string } }),
          ).toBe(0);
        }
      }),
      { numRuns: path === "/v1/transactions" ? RUNS.transactions : RUNS.events },
    );
    report(`POST ${path}`, statuses);
    // The bodies are built to get past the first checks: some are accepted, most refused for a reason.
    expect(accepted.size).toBeGreaterThan(0);
  };

  it(
    "POST /v1/transactions",
    gatewayEdge("/v1/transactions", () => system.bus.topology.streams.transactions, transactionTemplates, "externalId"),
    120_000,
  );
  it(
    "POST /v1/events",
    gatewayEdge("/v1/events", () => system.bus.topology.streams.events, eventTemplates, "eventId"),
    120_000,
  );
});

describe("fuzzing tRPC over HTTP", () => {
  const line = { sku: "FRIES-L", name: "Fries large", quantity: 2, unitPrice: 350, discount: 0, tags: [] };
  const procedures: { path: string; kind: "query" | "mutation"; template: () => Json }[] = [
    { path: "customers.get", kind: "query", template: () => ({ phone: "+48600777001" }) },
    { path: "customers.ledger", kind: "query", template: () => ({ customerId, limit: 20 }) },
    { path: "customers.search", kind: "query", template: () => ({ query: "+48600" }) },
    { path: "transactions.get", kind: "query", template: () => ({ externalId: knownSale }) },
    {
      path: "programme.simulate",
      kind: "query",
      template: () => ({
        basket: { channel: "kiosk", locationId: "store-017", lines: [line] },
        customer: { tier: null, dateOfBirth: "1990-04-21", earnedToday: 0 },
      }),
    },
    {
      path: "customers.adjust",
      kind: "mutation",
      template: () => ({
        customerId,
        unit: "points",
        amount: 5,
        reason: "goodwill after a cold burger",
        idempotencyKey: fresh("adj"),
      }),
    },
    {
      path: "programme.rules.upsert",
      kind: "mutation",
      template: () => ({ rule: { id: "fuzz-visit", type: "per_visit", points: 3 } }),
    },
    { path: "programme.milestones.set", kind: "mutation", template: () => ({ milestones: [100, 500] }) },
  ];
  /** What a refused call must not have changed. */
  const footprint = () =>
    Promise.all([
      db.programmeVersion.count({ where: { tenantId: apiTenant.tenantId } }),
      db.ledgerMovement.count({ where: { tenantId: apiTenant.tenantId } }),
      db.auditLog.count({ where: { tenantId: apiTenant.tenantId } }),
    ]);

  it(`${procedures.length} procedures, queries and mutations`, async () => {
    const statuses = new Map<number, number>();
    const okBy = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: procedures.length - 1 }), bodyPlan(1), async (which, plan) => {
        const procedure = procedures[which]!;
        const { text } = realise(plan, [procedure.template()]);
        const url = `${system.apiUrl}/trpc/${procedure.path}`;
        const headers = { authorization: `Bearer ${apiTenant.apiKeys.admin}`, "content-type": "application/json" };
        const before = await footprint();
        const res =
          procedure.kind === "query"
            ? await send(`${url}?input=${encodeURIComponent(wellFormed(text))}`, { headers })
            : await send(url, { method: "POST", headers, body: text });
        count(statuses, res.status);
        const what = `${procedure.path} ${text.slice(0, 200)}`;
        if (res.status === 200) {
          okBy.set(procedure.path, (okBy.get(procedure.path) ?? 0) + 1);
          if (procedure.kind === "query") expect(await footprint(), `a query changed state: ${what}`).toEqual(before);
          return;
        }
        expectRefusal(res, what);
        expect(await footprint(), `a refused call changed state: ${what}`).toEqual(before);
      }),
      { numRuns: RUNS.trpc },
    );
    report("tRPC", statuses);
    console.info(`fuzz tRPC answered 200 by procedure: ${JSON.stringify(Object.fromEntries(okBy))}`);
    expect(okBy.size).toBeGreaterThan(0);
  }, 180_000);
});
