import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually as eventuallyWithin, testDatabaseUrl } from "@regulars/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/**
 * `eventually` with a minute and a half: a campaign's effect is several hops from its cause (the outbox, the domain
 * stream, the trigger consumer, the step executor, the sender), and in the full suite two test files and their
 * systems share the two cores, so 20 s can pass before the last hop under load. Waiting longer makes no failure pass.
 */
export const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000) =>
  eventuallyWithin(what, check, timeoutMs);

/**
 * A database of the file's own, migrated, dropped at the end. Every test system sharing a database runs an outbox
 * relay, a scheduler and campaign and message workers over all of its tenants, each publishing to its own bus
 * namespace and reading its own in-process ClickHouse: another file's relay could publish this file's
 * `customer.created` where this system never hears it, and another scheduler refresh its segments against the
 * wrong ClickHouse. In production one database has one namespace; a database per file gives the test the same.
 */
export async function campaignDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = createDb({ url: testDatabaseUrl(), poolSize: 1 });
  const name = `regulars_cmp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.$executeRawUnsafe(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.$disconnect();
    },
  };
}

/** A scenario waits for several such effects in turn. */
export const scenarioTimeoutMs = 300_000;

/**
 * What the campaign scenarios share: the brand app's calls to the gateway, the admin's set-up over tRPC, and the
 * places a customer's messages show (`messages.list`, the development provider's `dev_messages`, webhooks).
 */

/** Settings of a system whose scheduler passes (broadcasts, always-on starts, notices) come round within seconds. */
export const campaignSystemEnv = {
  // Every worker, the campaign runner and the message sender included (other test systems leave those two out).
  WORKERS: "ledger,events,analytics,profiles,jobs,webhooks,messages,campaigns",
  JOBS_INTERVAL_MS: "1000",
  WEBHOOK_ALLOW_PRIVATE_URLS: "true",
  RATE_LIMIT_ADMIN: "off",
  RATE_LIMIT_APP: "off",
  RATE_LIMIT_POS: "off",
  RATE_LIMIT_KIOSK: "off",
} as const;

/** A campaign scenario file's world: its system on a database of its own, a client of that database, a webhook receiver. */
export interface CampaignScenario {
  system: TestSystem;
  db: Db;
  receiver: SignedReceiver;
}

/**
 * Starts the file's campaign system (`campaignSystemEnv` with `env` on top) on a database of its own, with a client
 * of it and a signed webhook receiver, before the file's tests, and takes all of it down after them. Call at the top
 * of the file: the fields are there once the file's first `beforeAll` has run.
 */
export function campaignScenario(env: Record<string, string> = {}): CampaignScenario {
  const scenario = {} as CampaignScenario;
  let database: Awaited<ReturnType<typeof campaignDatabase>> | undefined;
  beforeAll(async () => {
    database = await campaignDatabase();
    scenario.system = await startTestSystem({ ...campaignSystemEnv, ...env, DATABASE_URL: database.url });
    scenario.db = createDb({ url: database.url, poolSize: 2 });
    scenario.receiver = await startSignedReceiver();
  });
  afterAll(async () => {
    await scenario.system?.dispose();
    await scenario.db?.$disconnect();
    await scenario.receiver?.close();
    await database?.drop();
  });
  return scenario;
}

/** Every consent: marketing on each channel, and profiling (segment campaigns choose by purchases and behaviour). */
const allConsents = ["push", "sms", "email"].flatMap((channel) =>
  ["marketing", "profiling"].map((purpose) => ({ channel, purpose, granted: true })),
);

export interface AppCustomer {
  id: string;
  subject: string;
}

/** The brand app's backend: sign-ups, profile changes and push devices through the gateway with the app key. */
export function brandApp(system: TestSystem, tenant: CreatedTenant) {
  const key = tenant.apiKeys.app;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.gatewayUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    /** Signs up with an Apple identity; every consent unless `consents` says otherwise. */
    async register(subject: string, extra: Record<string, unknown> = {}) {
      const res = await send("POST", "/v1/customers", {
        externalIdentity: { provider: "apple", subject },
        name: "Ada Nowak",
        consents: allConsents,
        consentSource: "app:onboarding",
        ...extra,
      });
      expect([200, 201]).toContain(res.status);
      return res.body as { outcome: string; customer: { id: string } };
    },
    async updateProfile(customerId: string, change: Record<string, unknown>) {
      const res = await send("PATCH", `/v1/customers/${customerId}`, change);
      expect(res.status).toBe(200);
      return res.body;
    },
    async pushDevice(customerId: string, deviceId = `device-${customerId}`) {
      const res = await send("POST", `/v1/customers/${customerId}/push-tokens`, {
        deviceId,
        platform: "ios",
        token: `token-${customerId}`,
      });
      expect(res.status).toBe(200);
    },
    /** A signed-up customer with a push device, ready to be reached. */
    async member(subject: string, extra: Record<string, unknown> = {}): Promise<AppCustomer> {
      const { customer } = await this.register(subject, extra);
      await this.pushDevice(customer.id);
      return { id: customer.id, subject };
    },
  };
}

let serial = 0;

/** A till's sale for an app customer (by id), posted through the gateway and waited for until processed. */
export async function saleFor(
  system: TestSystem,
  tenant: CreatedTenant,
  customerId: string,
  lines: { sku: string; unitPrice: number; tags?: string[] }[],
) {
  const externalId = `CMP-${Date.now()}-${++serial}`;
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    externalId,
    type: "sale",
    // Now rather than a minute ago: the programme set up by the test takes effect when it is saved.
    occurredAt: new Date().toISOString(),
    locationId: "store-a",
    channel: "pos",
    customer: { id: customerId },
    currency: "EUR",
    lines: lines.map((l) => ({ name: l.sku, quantity: 1, discount: 0, tags: [], ...l })),
    total: lines.reduce((sum, l) => sum + l.unitPrice, 0),
  });
  expect(res.status).toBe(202);
  return system.processed(tenant.apiKeys.admin, externalId);
}

/** A push template set of one English variant. */
export async function pushTemplate(system: TestSystem, tenant: CreatedTenant, title: string, body: string) {
  return system.client(tenant.apiKeys.admin).templates.create.mutate({
    name: title,
    channel: "push",
    variants: [{ channel: "push", language: "en", title, body }],
  });
}

/** What the development provider recorded for the customer: what they would have received. */
export async function received(db: Db, tenant: CreatedTenant, customerId: string, channel = "push") {
  return db.devMessage.findMany({
    where: { tenantId: tenant.tenantId, customerId, channel },
    orderBy: { createdAt: "asc" },
  });
}

export async function walletOf(system: TestSystem, tenant: CreatedTenant, customerId: string) {
  return system.client(tenant.apiKeys.admin).coupons.wallet.query({ customerId });
}

/** The customer's messages as the admin sees them, oldest first. */
export async function messagesOf(
  system: TestSystem,
  tenant: CreatedTenant,
  query: { customerId?: string; campaignId?: string },
) {
  const page = await system.client(tenant.apiKeys.admin).messages.list.query({ ...query, limit: 100 });
  return [...page.items].reverse();
}

/** Waits until the customer's message of the campaign has reached a final status, and returns it. */
export async function settledMessage(
  system: TestSystem,
  tenant: CreatedTenant,
  customerId: string,
  campaignId: string,
) {
  return eventually(`a settled message of ${campaignId} to ${customerId}`, async () => {
    const [m] = await messagesOf(system, tenant, { customerId, campaignId });
    return m && m.status !== "queued" ? m : undefined;
  });
}

/**
 * Nothing more arrives for a while: the sender and the runner poll, so a message that should never come is
 * looked for over several of their rounds rather than once.
 */
export const quietPeriod = (ms = 3_000) => new Promise((r) => setTimeout(r, ms));

export interface VerifiedDelivery {
  id: string;
  type: string;
  data: Record<string, any>;
}

/**
 * A tenant's platform: a real HTTP server that checks each delivery's signature with the `standardwebhooks`
 * library, as a receiver does, and keeps the verified ones (a forged or unsigned one is answered 401).
 */
export async function startSignedReceiver() {
  let secret = "";
  const verified: VerifiedDelivery[] = [];
  let rejected = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = new Webhook(secret).verify(
          Buffer.concat(chunks).toString("utf8"),
          req.headers as Record<string, string>,
        ) as { type: string; data: Record<string, any> };
        verified.push({ id: String(req.headers["webhook-id"]), type: body.type, data: body.data });
        res.writeHead(204).end();
      } catch {
        rejected++;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    verified,
    rejected: () => rejected,
    useSecret(s: string) {
      secret = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type SignedReceiver = Awaited<ReturnType<typeof startSignedReceiver>>;

/** Subscribes the receiver to every `message.*` event of the tenant. */
export async function subscribeMessages(system: TestSystem, tenant: CreatedTenant, receiver: SignedReceiver) {
  const created = await system
    .client(tenant.apiKeys.admin)
    .webhooks.endpoints.create.mutate({ url: receiver.url, eventTypes: ["message.*"] });
  receiver.useSecret(created.secret);
  return created;
}
