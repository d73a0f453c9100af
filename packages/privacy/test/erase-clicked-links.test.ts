import { insertCampaignEvents } from "@regulars/analytics";
import { MessageClicked, MessageSent, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { newPseudonym } from "@regulars/ids";
import { createLogger } from "@regulars/logger";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickhouseTextHits, eraseClickhouse, eraseCustomer, finishErasures } from "../src/index.ts";

// A clicked link is stored as the template rendered it (composeMessage renders the body, then tracks its links;
// recordEngagement announces the real destination), so a template linking to `…?last={{ customer.last_name }}`
// puts the customer's name into ClickHouse's message_events.url. Re-keying customer_id alone leaves it there.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const log = createLogger({ level: "silent" });
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;
const admin = (now: Date) => ({ actor: "key_admin", cause: "request" as const, now });

/** A member with a surname and e-mail found nowhere else in the database, so text hits are theirs alone. */
async function member(tenantId: string, first: string, now: Date) {
  const last = `Lovelace${tag()}`;
  const email = `${first.toLowerCase()}.${last.toLowerCase()}@mail.example`;
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "brand", subject: `s-${tag()}` },
      name: `${first} ${last}`,
      email,
    }),
    { actor: "key_app", source: "app", now },
  );
  return { customerId: customer.id, last, email };
}

const messageOf = (tenantId: string, customerId: string, campaignId: string, now: Date) => {
  const messageId = `msg_${tag()}`;
  const base = { tenantId, customerId, messageId, campaignId, channel: "sms" as const, occurredAt: now.toISOString() };
  return {
    messageId,
    sent: MessageSent.parse({
      ...base,
      type: "message.sent",
      id: `message.sent:${messageId}`,
      provider: "p",
      attempt: 1,
    }),
    clicked: (url: string) =>
      MessageClicked.parse({ ...base, type: "message.clicked", id: `message.clicked:${messageId}:${tag()}`, url }),
  };
};

async function rowsOf(tenantId: string, messageId: string) {
  const result = await analytics.client.query({
    query: `SELECT type, customer_id, url FROM ${analytics.database}.message_events FINAL
      WHERE tenant_id = {t:String} AND message_id = {m:String} ORDER BY type, url`,
    query_params: { t: tenantId, m: messageId },
    format: "JSONEachRow",
  });
  return result.json<{ type: string; customer_id: string; url: string }>();
}

describe("erasure and the links a customer clicked", () => {
  it("keeps only the site of the person's clicked links, the campaign's clicks and other customers' links", async () => {
    const now = new Date();
    const { tenantId } = await testTenant(db, "Click Burgers");
    const campaignId = `cmp_${tag()}`;
    const ada = await member(tenantId, "Ada", now);
    const other = await member(tenantId, "Byron", now);
    const adas = messageOf(tenantId, ada.customerId, campaignId, now);
    const others = messageOf(tenantId, other.customerId, campaignId, now);
    const otherLink = `https://brand.example/profile?first=Byron&last=${other.last}`;
    await insertCampaignEvents(analytics, [
      adas.sent,
      adas.clicked(`https://brand.example/profile?first=Ada&last=${ada.last}`),
      // The name or e-mail in the path, in user info, behind a port: only scheme and host stay.
      adas.clicked(`https://${ada.last}:x@shop.example:8443/u/${ada.email}#${ada.last}`),
      // An e-mail address as the user info: it ends at the last '@', so no part of the address is taken for the host.
      adas.clicked(`https://${ada.email}@shop.example/u`),
      others.sent,
      others.clicked(otherLink),
    ]);
    expect(await clickhouseTextHits(analytics, [ada.last, ada.email])).toEqual(["message_events.url"]);

    const out = await eraseCustomer({ db, analytics }, tenantId, ada.customerId, admin(now));
    expect(out.clickhousePending).toBe(false);

    expect(await clickhouseTextHits(analytics, [ada.last, ada.email])).toEqual([]);
    const rows = await rowsOf(tenantId, adas.messageId);
    expect(rows.map((r) => [r.type, r.url])).toEqual([
      ["clicked", "https://brand.example"],
      ["clicked", "https://shop.example"],
      ["clicked", "https://shop.example"],
      ["sent", ""],
    ]);
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(1);
    expect(rows[0]!.customer_id).toMatch(/^anon_/);
    expect(await rowsOf(tenantId, others.messageId)).toEqual([
      { type: "clicked", customer_id: other.customerId, url: otherLink },
      { type: "sent", customer_id: other.customerId, url: "" },
    ]);
  });

  it("scrubs a click that reaches ClickHouse after the erasure when the sweep re-keys it", async () => {
    const now = new Date();
    const { tenantId } = await testTenant(db, "Late Click Burgers");
    const ada = await member(tenantId, "Ada", now);
    const adas = messageOf(tenantId, ada.customerId, `cmp_${tag()}`, now);
    await eraseCustomer({ db, analytics }, tenantId, ada.customerId, admin(now));

    // A click the analytics writer had not stored yet when the erasure ran.
    await insertCampaignEvents(analytics, [adas.clicked(`https://brand.example/p?last=${ada.last}`)]);
    await finishErasures({ db, log, tenantId, now: new Date(now.getTime() + 60_000), analytics });

    expect(await clickhouseTextHits(analytics, [ada.last])).toEqual([]);
    const rows = await rowsOf(tenantId, adas.messageId);
    expect(rows).toEqual([
      { type: "clicked", customer_id: expect.stringMatching(/^anon_/), url: "https://brand.example" },
    ]);
  });

  it("scrubs on a retry the rows a crash left re-keyed but not scrubbed", async () => {
    const now = new Date();
    const { tenantId } = await testTenant(db, "Retry Click Burgers");
    const ada = await member(tenantId, "Ada", now);
    const pseudonym = newPseudonym();
    // What a click that arrived during the first try's re-key looks like when that try crashed before the end.
    const adas = messageOf(tenantId, pseudonym, `cmp_${tag()}`, now);
    await insertCampaignEvents(analytics, [adas.clicked(`https://brand.example/p?last=${ada.last}`)]);

    await eraseClickhouse(analytics, tenantId, [ada.customerId], pseudonym);

    expect(await clickhouseTextHits(analytics, [ada.last])).toEqual([]);
    expect(await rowsOf(tenantId, adas.messageId)).toEqual([
      { type: "clicked", customer_id: pseudonym, url: "https://brand.example" },
    ]);
  });
});
