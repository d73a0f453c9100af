import { type FactsTarget, insertCampaignEvents, insertCustomerSnapshots } from "@regulars/analytics";
import { CampaignEnrolled, MessageClicked } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { restartingBefore, testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { clickhouseTextHits, eraseCustomer } from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";

// ClickHouse keeps the text of every mutation (system.mutations), and a server logs every statement with its query
// parameters substituted (system.query_log, the server log). An erasure whose statements name the customer's id
// leaves it there beside the pseudonym its rows got: the pseudonym leads back to the customer. chdb keeps no query
// log, so what a server would log is read from the statements as sent (text and parameters).

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

interface Sent {
  statements: string[];
  insertedInto: string[];
}

/** The analytics target, recording each statement (text and parameters, as a server logs it) and inserts' tables. */
function recorded(sent: Sent): FactsTarget {
  const client = new Proxy(analytics.client, {
    get(real, prop) {
      const value = Reflect.get(real, prop, real);
      if (typeof value !== "function") return value;
      if (prop === "insert")
        return (args: { table: string }) => {
          sent.insertedInto.push(args.table);
          return value.call(real, args);
        };
      if (prop !== "query" && prop !== "command" && prop !== "exec") return value.bind(real);
      return (args: { query: string; query_params?: Record<string, unknown> }) => {
        sent.statements.push(`${args.query} ${JSON.stringify(args.query_params ?? {})}`);
        return value.call(real, args);
      };
    },
  });
  return { client, database: analytics.database };
}

async function rowsOf(sql: string, params: Record<string, unknown> = {}) {
  const result = await analytics.client.query({ query: sql, query_params: params, format: "JSONEachRow" });
  return result.json<Record<string, string>>();
}

/** The customer's rows per ClickHouse table that has a customer_id. */
async function customerRows(tenantId: string, customerId: string): Promise<Record<string, number>> {
  const tables = await rowsOf(
    "SELECT table FROM system.columns WHERE database = {db:String} AND name = 'customer_id' ORDER BY table",
    { db: analytics.database },
  );
  const out: Record<string, number> = {};
  for (const { table } of tables) {
    const [row] = await rowsOf(
      `SELECT count() AS n FROM ${analytics.database}.\`${table}\`
        WHERE tenant_id = {t:String} AND customer_id = {c:String}`,
      { t: tenantId, c: customerId },
    );
    out[table!] = Number(row?.n);
  }
  return out;
}

it("names no customer id, phone or e-mail in any statement or mutation ClickHouse keeps", async () => {
  const now = new Date();
  const { tenantId } = await privacyTenant(db, "Quiet Burgers");
  const c = await seedCustomer(db, analytics, tenantId, now);
  const at = now.toISOString();
  const base = { tenantId, customerId: c.customerId, occurredAt: at };
  const tag = `${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  // The tables seedCustomer leaves empty: the segments' snapshot, a campaign's enrolment and a clicked message.
  await insertCustomerSnapshots(analytics, [
    {
      tenant_id: tenantId,
      customer_id: c.customerId,
      tier: "bronze",
      consents: [],
      has_email: true,
      has_phone: true,
      has_date_of_birth: true,
      birth_month: 4,
      birth_day: 1,
      registered_at: null,
      created_at: at.replace("T", " ").replace("Z", ""),
      item_count: 1,
      tag_quantities: {},
      version: "1",
    },
  ]);
  await insertCampaignEvents(analytics, [
    CampaignEnrolled.parse({
      ...base,
      type: "campaign.enrolled",
      id: `campaign.enrolled:enr_${tag}`,
      campaignId: "cmp_quiet",
      version: 1,
      enrolmentId: `enr_${tag}`,
      occurrence: "registered",
      outcome: "entered",
    }),
    MessageClicked.parse({
      ...base,
      type: "message.clicked",
      id: `message.clicked:msg_${tag}`,
      messageId: `msg_${tag}`,
      campaignId: "cmp_quiet",
      channel: "email",
      url: `https://shop.example/hi?e=${encodeURIComponent(c.email)}`,
    }),
  ]);
  const before = await customerRows(tenantId, c.customerId);
  for (const [table, n] of Object.entries(before)) expect(n, table).toBeGreaterThan(0);

  const sent: Sent = { statements: [], insertedInto: [] };
  const outcome = await eraseCustomer({ db, analytics: recorded(sent) }, tenantId, c.customerId, {
    actor: "key_admin",
    cause: "request",
    now,
  });
  expect(outcome).toMatchObject({ status: "erased", clickhousePending: false });
  const secrets = [c.customerId, c.phone, c.phone.slice(1), c.email, encodeURIComponent(c.email)];
  expect(await clickhouseTextHits(analytics, secrets)).toEqual([]);

  const mutations = await rowsOf("SELECT command FROM system.mutations WHERE database = {db:String}", {
    db: analytics.database,
  });
  expect(mutations.length).toBeGreaterThanOrEqual(Object.keys(before).length);
  expect(mutations.filter((m) => secrets.some((s) => m.command!.includes(s)))).toEqual([]);
  expect(sent.statements.length).toBeGreaterThan(0);
  expect(sent.statements.filter((s) => secrets.some((secret) => s.includes(secret)))).toEqual([]);
  // The ids reach ClickHouse only as an insert's data (which no log holds), into the helper table, emptied after.
  expect(new Set(sent.insertedInto)).toEqual(new Set([`${analytics.database}.customer_rekeys`]));
  expect(await rowsOf(`SELECT * FROM ${analytics.database}.customer_rekeys`)).toEqual([]);
  const [queryLog] = await rowsOf(
    "SELECT count() AS n FROM system.tables WHERE database = 'system' AND name = 'query_log'",
  );
  if (Number(queryLog?.n) > 0) {
    await analytics.client.command({ query: "SYSTEM FLUSH LOGS" });
    const logged = await rowsOf(
      "SELECT count() AS n FROM system.query_log WHERE arrayExists(s -> position(query, s) > 0, {s:Array(String)})",
      { s: secrets },
    );
    expect(logged).toEqual([{ n: "0" }]);
  }
});

it("keeps the erasure pending when a restart emptied its batch mid-pass, and a retry finishes it", async () => {
  const now = new Date();
  const { tenantId } = await privacyTenant(db, "Restarted Burgers");
  const c = await seedCustomer(db, analytics, tenantId, now);
  const origin = { actor: "key_admin", cause: "request" as const, now };

  // Tables go in name order: the transactions come last, and their count reads an empty batch.
  const restarting = restartingBefore(analytics, /\.transactions\b/);
  const first = await eraseCustomer({ db, analytics: restarting }, tenantId, c.customerId, origin);
  expect(first).toMatchObject({ status: "erased", clickhousePending: true });
  expect((await customerRows(tenantId, c.customerId)).transactions).toBe(2);
  const [request] = await db.$queryRaw<{ clickhouse_done_at: Date | null; last_error: string | null }[]>`
    SELECT clickhouse_done_at, last_error FROM erasure_requests WHERE id = ${first.requestId}`;
  expect(request?.clickhouse_done_at).toBeNull();
  expect(request?.last_error).toMatch(/lost a batch of customer keys/);

  const retried = await eraseCustomer({ db, analytics }, tenantId, c.customerId, origin);
  expect(retried).toMatchObject({ status: "already_erased", clickhousePending: false });
  const left = await customerRows(tenantId, c.customerId);
  expect(Object.entries(left).filter(([, n]) => n > 0)).toEqual([]);
});
