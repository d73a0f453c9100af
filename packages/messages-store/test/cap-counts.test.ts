import type { FrequencyCap } from "@regulars/contracts";
import { type Db, type Prisma, sqlArray } from "@regulars/db";
import { queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendsAround } from "../src/cap-counts.ts";
import { claimForTenant, messageCampaign, messageCustomer, messageTenant, yearAhead } from "./fixtures.ts";

// Before a capped message goes, the sender reads the customer's messages its cap windows may hold. That read once
// took every message the customer was ever sent, for every capped message claimed: only `send_at < until` bounded
// it, the window's start sat in a CASE no index could use. It must reach the window through the indexes, and count
// exactly what it counted: sent ones by when they went out, queued ones of any age while their campaign runs.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const hour = 3_600_000;
const day = 24 * hour;
// A year ahead of the real clock: other files' senders run by it and would take these queued messages.
const now = yearAhead();
const ago = (ms: number) => new Date(now.getTime() - ms);

interface MessageRow {
  id: string;
  customerId: string;
  status: "queued" | "sent" | "delivered" | "opened" | "clicked" | "failed" | "cancelled";
  sendAt: Date;
  sentAt?: Date | null;
  campaignId?: string | null;
  transactional?: boolean;
}

async function insertMessages(tenantId: string, rows: MessageRow[]): Promise<void> {
  const column = <T extends keyof MessageRow>(key: T) => sqlArray(rows.map((r) => r[key] ?? null));
  await db.$executeRaw`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, channel, language, to_address, content, status,
                          send_at, next_attempt_at, sent_at, transactional, expires_at)
    SELECT x.id, ${tenantId}, x.customer_id, x.campaign_id, 'sms', 'en', '+48600100200', '{"body": "Hi"}', x.status,
           x.send_at, x.send_at, x.sent_at, x.transactional,
           CASE WHEN x.transactional THEN x.send_at + interval '10 minutes' END
    FROM unnest(${column("id")}::text[], ${column("customerId")}::text[], ${column("campaignId")}::text[],
                ${column("status")}::text[], ${column("sendAt")}::timestamptz[], ${column("sentAt")}::timestamptz[],
                ${sqlArray(rows.map((r) => r.transactional ?? false))}::boolean[])
      AS x(id, customer_id, campaign_id, status, send_at, sent_at, transactional)`;
}

/** What `sendsAround` counts for one capped message, with the statement it sent to read it. */
async function countedFor(tenantId: string, messageId: string, caps: FrequencyCap[]) {
  const claimed = (await claimForTenant(db, tenantId, now)).find((m) => m.id === messageId)!;
  let statement: Prisma.Sql | undefined;
  const recording = db.$extends({
    query: {
      $queryRaw({ args, query }) {
        statement = args;
        return query(args);
      },
    },
  }) as unknown as Db;
  const rows = await sendsAround(recording, [claimed], new Map([[claimed.id, caps]]), now);
  return { ids: rows.map((r) => r.id).sort(), statement: statement! };
}

const planOf = (statement: Prisma.Sql) => queryPlan(db, statement);

it("reads a customer's messages in the cap window by the time in the index, not the customer's whole history", async () => {
  const { tenantId } = await messageTenant(db, "Cap Plan Grill");
  const campaignId = await messageCampaign(db, tenantId);
  // Fifty regulars, each sent a message a day for two years (36,500 messages, none of them in the window) and each
  // queued tomorrow's broadcast.
  const customers = Array.from({ length: 50 }, (_, i) => `${tenantId}_cus_${i}`);
  await db.$executeRaw`
    INSERT INTO customers (id, tenant_id, created_via) SELECT c, ${tenantId}, 'test' FROM unnest(${customers}::text[]) c`;
  await db.$executeRaw`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, channel, language, to_address, content, status,
                          send_at, next_attempt_at, sent_at)
    SELECT c || '_msg_' || d, ${tenantId}, c, ${campaignId}, 'sms', 'en', '+48600100200', '{"body": "Hi"}',
           'delivered', t, t, t
    FROM unnest(${customers}::text[]) c, generate_series(2, 731) d,
         LATERAL (SELECT ${now}::timestamptz - d * interval '1 day' AS t) x`;
  const regular = customers[17]!;
  await insertMessages(tenantId, [
    ...customers.map((customerId) => ({
      id: `${customerId}_broadcast`,
      customerId,
      campaignId,
      status: "queued" as const,
      sendAt: new Date(now.getTime() + 20 * hour),
    })),
    { id: `${tenantId}_capped`, customerId: regular, campaignId, status: "queued", sendAt: ago(hour) },
    {
      id: `${tenantId}_sent`,
      customerId: regular,
      campaignId,
      status: "sent",
      sendAt: ago(2 * hour),
      sentAt: ago(hour),
    },
  ]);
  // With statistics, as autovacuum keeps them on a live table.
  await db.$executeRawUnsafe("ANALYZE messages");

  const { ids, statement } = await countedFor(tenantId, `${tenantId}_capped`, [{ max: 1, windowHours: 24 }]);
  expect(ids).toEqual([`${regular}_broadcast`, `${tenantId}_capped`, `${tenantId}_sent`].sort());
  const plan = (await planOf(statement)).filter((n) => n["Relation Name"] === "messages");
  expect(plan.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
  expect(plan.map((n) => n["Index Name"]).sort()).toEqual([
    "messages_customer_queued_idx",
    "messages_customer_sent_idx",
  ]);
  const condition = (index: string) => plan.find((n) => n["Index Name"] === index)?.["Index Cond"] ?? "";
  // Sent messages by when they went out, bounded on both sides: two years of them are not read to keep one.
  expect(condition("messages_customer_sent_idx")).toMatch(
    /customer_id = .*COALESCE\(sent_at, send_at\) > .*COALESCE\(sent_at, send_at\) </,
  );
  // Queued ones by customer: not everyone's broadcast.
  expect(condition("messages_customer_queued_idx")).toMatch(/customer_id = .*send_at </);
});

it("counts sent messages by when they went out and queued ones of any age while their campaign runs", async () => {
  const { tenantId } = await messageTenant(db, "Cap Count Grill");
  const running = await messageCampaign(db, tenantId);
  const paused = await messageCampaign(db, tenantId);
  await db.campaign.update({ where: { id: paused }, data: { status: "paused" } });
  const customerId = await messageCustomer(db, tenantId, { phone: "+48600100200" });
  const neighbour = await messageCustomer(db, tenantId, { phone: "+48600100201" });
  // The capped message goes now (overdue by an hour); its cap of 24 hours looks from a day ago to a day ahead.
  const from = ago(day);
  const until = new Date(now.getTime() + day);
  const rows: Record<string, Omit<MessageRow, "id" | "customerId"> & { customerId?: string }> = {
    capped: { status: "queued", campaignId: running, sendAt: ago(hour) },
    sent: { status: "sent", campaignId: running, sendAt: ago(3 * hour), sentAt: ago(2 * hour) },
    sentLateIntoWindow: { status: "sent", campaignId: running, sendAt: ago(30 * hour), sentAt: ago(20 * hour) },
    sentWithoutTime: { status: "sent", campaignId: running, sendAt: ago(5 * hour) },
    delivered: { status: "delivered", sendAt: ago(6 * hour), sentAt: ago(6 * hour) },
    opened: { status: "opened", campaignId: paused, sendAt: ago(7 * hour), sentAt: ago(7 * hour) },
    clicked: { status: "clicked", campaignId: running, sendAt: ago(8 * hour), sentAt: ago(8 * hour) },
    queuedLongAgo: { status: "queued", campaignId: running, sendAt: ago(300 * day) },
    queuedWithoutCampaign: { status: "queued", sendAt: new Date(now.getTime() + 2 * hour) },
    // Not counted: planned in the window but sent before it; sent exactly at its start; gone wrong or cancelled;
    sentBeforeWindow: { status: "sent", campaignId: running, sendAt: ago(26 * hour), sentAt: ago(25 * hour) },
    sentAtWindowStart: { status: "sent", campaignId: running, sendAt: from, sentAt: from },
    failed: { status: "failed", campaignId: running, sendAt: ago(4 * hour) },
    cancelled: { status: "cancelled", campaignId: running, sendAt: ago(4 * hour) },
    // transactional, sent or queued; a paused campaign's queued one; queued to go at or after the window's end;
    transactionalSent: { status: "sent", sendAt: ago(hour), sentAt: ago(hour), transactional: true },
    transactionalQueued: { status: "queued", sendAt: ago(hour), transactional: true },
    queuedPaused: { status: "queued", campaignId: paused, sendAt: ago(2 * hour) },
    queuedAtWindowEnd: { status: "queued", campaignId: running, sendAt: until },
    queuedAfterWindow: { status: "queued", campaignId: running, sendAt: new Date(until.getTime() + hour) },
    // another customer's, and a year of old ones.
    neighbours: { customerId: neighbour, status: "sent", campaignId: running, sendAt: ago(hour), sentAt: ago(hour) },
    ...Object.fromEntries(
      Array.from({ length: 365 }, (_, i) => [
        `old${i}`,
        { status: "delivered", campaignId: running, sendAt: ago((i + 2) * day), sentAt: ago((i + 2) * day) },
      ]),
    ),
  };
  await insertMessages(
    tenantId,
    Object.entries(rows).map(([name, row]) => ({ customerId, ...row, id: `${tenantId}_${name}` })),
  );

  const { ids } = await countedFor(tenantId, `${tenantId}_capped`, [{ max: 3, windowHours: 24 }]);
  expect(ids).toEqual(
    [
      "capped",
      "sent",
      "sentLateIntoWindow",
      "sentWithoutTime",
      "delivered",
      "opened",
      "clicked",
      "queuedLongAgo",
      "queuedWithoutCampaign",
    ]
      .map((name) => `${tenantId}_${name}`)
      .sort(),
  );
});

it("counts the messages of everyone merged into the customer as the customer's: they went to the same person", async () => {
  const { tenantId } = await messageTenant(db, "Cap Merge Grill");
  const campaignId = await messageCampaign(db, tenantId);
  const survivor = await messageCustomer(db, tenantId, { phone: "+48600100200" });
  const till = await messageCustomer(db, tenantId, { phone: "+48600100201" });
  // A merge moves no messages; `mergeCustomer` leaves this row.
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${till}, ${tenantId}, ${survivor})`;
  await insertMessages(tenantId, [
    { id: `${tenantId}_capped`, customerId: survivor, campaignId, status: "queued", sendAt: ago(hour) },
    {
      id: `${tenantId}_till`,
      customerId: till,
      campaignId,
      status: "sent",
      sendAt: ago(2 * hour),
      sentAt: ago(2 * hour),
    },
  ]);

  const claimed = (await claimForTenant(db, tenantId, now)).find((m) => m.id === `${tenantId}_capped`)!;
  const rows = await sendsAround(db, [claimed], new Map([[claimed.id, [{ max: 1, windowHours: 24 }]]]), now);
  expect(rows.map((r) => [r.id, r.customer_id]).sort()).toEqual(
    [
      [`${tenantId}_capped`, survivor],
      [`${tenantId}_till`, survivor],
    ].sort(),
  );
});
