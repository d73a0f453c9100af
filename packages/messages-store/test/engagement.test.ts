import type { Db } from "@regulars/db";
import { pruneOutbox } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decideSend, type Reported, recordDeliveryReceipt, recordEngagement, recordSent } from "../src/index.ts";
import { claimForTenant, messageCustomer, queueCampaignSms, smsCampaignSetup, yearAhead } from "./fixtures.ts";

// Opens, clicks and receipts are announced once for good: a customer tapping a link in an SMS of weeks ago, or a
// provider sending its receipt again, announces nothing once the outbox no longer holds the first event (its
// published rows are pruned after a week, and with them the stable ids that kept an event once).

let db: Db;
let tenantId: string;
let campaignId: string;
let smsTemplate: string;
const ahead = yearAhead();
const at = (seconds: number) => new Date(ahead.getTime() + seconds * 1000);
const week = 7 * 86_400;
let phone = 0;

beforeAll(() => {
  db = testDb();
});
beforeEach(async () => {
  ({ tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, "Engagement Grill"));
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A campaign SMS sent through `http-sms`; its id. */
async function sentSms(): Promise<string> {
  const customerId = await messageCustomer(db, tenantId, { phone: `+4860050${String(++phone).padStart(4, "0")}` });
  const id = await queueCampaignSms(db, { tenantId, campaignId, templateId: smsTemplate, customerId, sendAt: at(0) });
  const [claimed] = await claimForTenant(db, tenantId, at(1));
  const decision = await decideSend(db, claimed!);
  if (decision.action !== "send") throw new Error(`expected to send, got ${decision.action}`);
  await recordSent(db, claimed!, decision.message, "http-sms", `gw-${id}`, at(2));
  return id;
}

/** The week after publishing passes: the relay's published rows are pruned, as the scheduler prunes them. */
async function outboxPruned() {
  const now = new Date();
  await db.$executeRaw`
    UPDATE outbox_events SET published_at = ${new Date(now.getTime() - 8 * 86_400_000)} WHERE tenant_id = ${tenantId}`;
  await pruneOutbox(db, now, { tenantIds: [tenantId] });
}

const types = (reported: Reported | null) => reported?.outbox.map((i) => i.type);
const menu = "https://brand.example/menu";
const click = (id: string, url: string, when: Date) => recordEngagement(db, id, { kind: "click", url }, when);
const open = (id: string, when: Date) => recordEngagement(db, id, { kind: "open" }, when);
const delivered = (id: string, when: Date) =>
  recordDeliveryReceipt(db, id, "http-sms", { status: "delivered" }, when, tenantId);
const bounced = (id: string, when: Date) =>
  recordDeliveryReceipt(db, id, "http-sms", { status: "failed", code: "bounced", reason: "no such number" }, when);

describe("opens, clicks and receipts", () => {
  it("are announced once per message (a click once per link), also after the outbox pruned the first event", async () => {
    const id = await sentSms();
    expect(types(await delivered(id, at(60)))).toEqual(["message.delivered"]);
    expect(types(await open(id, at(120)))).toEqual(["message.opened"]);
    expect(types(await click(id, menu, at(180)))).toEqual(["message.clicked"]);

    await outboxPruned();
    const later = at(week + 86_400);
    expect(await delivered(id, later)).toEqual({ status: "clicked", outbox: [] });
    expect(await open(id, later)).toEqual({ status: "clicked", outbox: [] });
    expect(await click(id, menu, later)).toEqual({ status: "clicked", outbox: [] });
    const rows = await db.$queryRaw<{ type: string }[]>`
      SELECT type FROM outbox_events WHERE tenant_id = ${tenantId} AND type LIKE 'message.%'`;
    expect(rows).toEqual([]);
    // Another link of the same message is a click of its own; the first times stay.
    expect(types(await click(id, "https://brand.example/app", later))).toEqual(["message.clicked"]);
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      deliveredAt: at(60),
      openedAt: at(120),
      clickedAt: at(180),
    });
  });

  it("announce a bounce once, also when the provider repeats it weeks later", async () => {
    const id = await sentSms();
    expect(types(await bounced(id, at(60)))).toEqual(["message.failed"]);
    await outboxPruned();
    expect(await bounced(id, at(week + 86_400))).toEqual({ status: "failed", outbox: [] });
  });

  it("announce a bounce without the address or number its reason quoted (webhooks get it)", async () => {
    const id = await sentSms();
    const reason = "550 number +48 600 100 299 (jan.kowalski@example.com) unreachable";
    const receipt = { status: "failed", code: "bounced", reason } as const;
    const reported = await recordDeliveryReceipt(db, id, "http-sms", receipt, at(60));
    const announced = "550 number [phone] ([email]) unreachable";
    expect(reported?.outbox.map((i) => (i.payload as { reason?: string }).reason)).toEqual([announced]);
    const [stored] = await db.$queryRaw<{ payload: unknown }[]>`
      SELECT payload FROM outbox_events WHERE id = ${reported?.outbox[0]?.id ?? ""}`;
    expect(stored?.payload).toMatchObject({ type: "message.failed", code: "bounced", reason: announced });
  });

  it("announce two clicks on one link at once once", async () => {
    const id = await sentSms();
    const both = await Promise.all([click(id, menu, at(60)), click(id, menu, at(61))]);
    expect(both.flatMap((r) => r?.outbox ?? []).map((i) => i.type)).toEqual(["message.clicked"]);
  });

  it("announce a click on a message whose text retention cleared with the link's site only", async () => {
    const id = await sentSms();
    const clickedUrls = (reported: Reported | null) => reported?.outbox.map((i) => (i.payload as { url?: string }).url);
    const personal = "https://brand.example/offer?email=ann%40example.com&name=Ann";
    expect(clickedUrls(await click(id, personal, at(60)))).toEqual([personal]);
    // As clearOldMessages (@regulars/privacy) leaves a message past the tenant's retention.
    await db.$executeRaw`UPDATE messages SET to_address = '', content = '{}'::jsonb, last_error = NULL WHERE id = ${id}`;

    const cleared = await click(id, "https://Ann:secret@brand.example:8443/menu?name=Ann#ann", at(120));
    expect(clickedUrls(cleared)).toEqual(["https://brand.example"]);
    const [stored] = await db.$queryRaw<{ payload: unknown }[]>`
      SELECT payload FROM outbox_events WHERE id = ${cleared?.outbox[0]?.id ?? ""}`;
    expect(stored?.payload).toMatchObject({ url: "https://brand.example" });
    // The link announced before the clearing is not announced again, cut or not.
    expect(await click(id, personal, at(180))).toEqual({ status: "clicked", outbox: [] });
  });
});
