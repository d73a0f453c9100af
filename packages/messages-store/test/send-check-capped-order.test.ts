import { nextLocalTime } from "@regulars/campaigns";
import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideSends, queueCampaignMessage, type SendDecision } from "../src/index.ts";
import {
  claimForTenant,
  messageCampaign,
  messageCustomer,
  messageTemplate,
  messageTenant,
  stepKeyOf,
  yearAhead,
} from "./fixtures.ts";

// Queued messages take cap slots in planned order, each only if its own caps let it go: one its campaign's tighter
// cap refuses reaches nobody, so it takes no slot from the next campaign's message, in this claim or another.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const minute = 60_000;
const hour = 60 * minute;
const outcome = (d: SendDecision | undefined) => (d?.action === "cancel" ? `cancel:${d.code}` : d?.action);

/**
 * A tenant's customer and a way to queue campaigns' messages to them, with one message of campaign `sentBy` on
 * `channel` sent `sentAgo` (two hours) before `now`.
 */
async function customerSentTo(
  tenantId: string,
  sentBy: string,
  channel: "email" | "sms",
  now: Date,
  sentAgo = 2 * hour,
) {
  const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com", phone: "+48600100200" });
  const templates = {
    email: await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]),
    sms: await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]),
  };
  const queue = async (campaignId: string, on: "email" | "sms", ago: number) =>
    (
      await withTransaction(db, (tx) =>
        queueCampaignMessage(tx, {
          tenantId,
          campaignId,
          customerId,
          stepKey: stepKeyOf(),
          templateId: templates[on],
          channel: on,
          sendAt: new Date(now.getTime() - ago),
        }),
      )
    ).messageId!;
  const sent = await queue(sentBy, channel, sentAgo);
  await db.message.update({ where: { id: sent }, data: { status: "sent", sentAt: new Date(now.getTime() - sentAgo) } });
  return queue;
}

describe("a message its own caps refuse takes no slot", () => {
  // One e-mail went two hours ago. Campaign A allows one e-mail a day, so its message (planned first) is capped;
  // campaign B allows two, and only one reached the customer: B's message goes.
  async function twoCampaigns(now: Date) {
    const { tenantId } = await messageTenant(db, "Capped Order Grill");
    const oneADay = await messageCampaign(db, tenantId, {
      limits: { frequencyCaps: [{ channel: "email", max: 1, windowHours: 24 }] },
    });
    const twoADay = await messageCampaign(db, tenantId, {
      limits: { frequencyCaps: [{ channel: "email", max: 2, windowHours: 24 }] },
    });
    const queue = await customerSentTo(tenantId, twoADay, "email", now);
    const first = await queue(oneADay, "email", 2 * minute);
    const second = await queue(twoADay, "email", minute);
    const claimed = await claimForTenant(db, tenantId, now);
    expect(claimed.map((m) => m.id).sort()).toEqual([first, second].sort());
    return { claimed, first, second };
  }

  it("in the same claim: the tighter campaign's message is capped, the next one goes", async () => {
    const now = yearAhead();
    const { claimed, first, second } = await twoCampaigns(now);
    const decisions = await decideSends(db, claimed, { now });
    const of = (id: string) => outcome(decisions[claimed.findIndex((m) => m.id === id)]);
    expect(of(first)).toBe("cancel:capped");
    expect(of(second)).toBe("send");
  });

  it("in another claim: the message still queued is checked against its own caps", async () => {
    const now = yearAhead();
    const { claimed, first, second } = await twoCampaigns(now);
    const decide = async (id: string) =>
      outcome(
        (
          await decideSends(
            db,
            claimed.filter((m) => m.id === id),
            { now },
          )
        )[0],
      );
    expect(await decide(second)).toBe("send");
    expect(await decide(first)).toBe("cancel:capped");
  });

  it("the tenant's caps are a queued message's own too, on another channel's claim", async () => {
    // An SMS went two hours ago and the tenant allows one SMS a day: campaign A's SMS (no caps of its own) is capped.
    // Campaign B allows two messages a day on any channel: its e-mail, decided in the e-mail group, goes.
    const now = yearAhead();
    const { tenantId } = await messageTenant(db, "Capped Tenant Grill");
    const uncapped = await messageCampaign(db, tenantId);
    const twoADay = await messageCampaign(db, tenantId, { limits: { frequencyCaps: [{ max: 2, windowHours: 24 }] } });
    const queue = await customerSentTo(tenantId, twoADay, "sms", now);
    const sms = await queue(uncapped, "sms", 2 * minute);
    const email = await queue(twoADay, "email", minute);
    const claimed = await claimForTenant(db, tenantId, now);
    const tenantCaps = async () => [{ channel: "sms" as const, max: 1, windowHours: 24 }];
    const decide = async (id: string) =>
      outcome(
        (
          await decideSends(
            db,
            claimed.filter((m) => m.id === id),
            { now, tenantCaps },
          )
        )[0],
      );
    expect(await decide(email)).toBe("send");
    expect(await decide(sms)).toBe("cancel:capped");
  });

  it("a queued message's cap longer than the claim's is checked against the sends it reaches", async () => {
    // An e-mail went 30 hours ago. Campaign A allows one message in 48 hours: its e-mail is capped. Campaign B allows
    // one in 24: its SMS, decided in the SMS group, reads 24 hours of sends, yet A's e-mail takes no slot from it.
    const now = yearAhead();
    const { tenantId } = await messageTenant(db, "Capped Window Grill");
    const twoDays = await messageCampaign(db, tenantId, { limits: { frequencyCaps: [{ max: 1, windowHours: 48 }] } });
    const oneDay = await messageCampaign(db, tenantId, { limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] } });
    const queue = await customerSentTo(tenantId, oneDay, "email", now, 30 * hour);
    const email = await queue(twoDays, "email", 2 * minute);
    const sms = await queue(oneDay, "sms", minute);
    const claimed = await claimForTenant(db, tenantId, now);
    const decisions = await decideSends(db, claimed, { now });
    expect(decisions.map(outcome)).toEqual(claimed.map((m) => (m.id === email ? "cancel:capped" : "send")));
    const alone = await decideSends(
      db,
      claimed.filter((m) => m.id === sms),
      { now },
    );
    expect(alone.map(outcome)).toEqual(["send"]);
  });

  it("one its quiet hours hold takes no slot at their end when its caps refuse it then", async () => {
    // 22:00 in Warsaw: campaign Q is quiet until 08:00 and allows one message a day, so its SMS, held ten hours, is
    // capped then by the e-mail sent at 20:00. Campaign B allows two a day: its SMS goes now.
    const now = nextLocalTime(yearAhead().getTime(), 22 * 60, "Europe/Warsaw");
    const { tenantId } = await messageTenant(db, "Capped Quiet Grill");
    const quiet = await messageCampaign(db, tenantId, {
      delivery: { timing: { at: "immediately" }, zone: "tenant", quietHours: { start: "21:00", end: "08:00" } },
      limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    const twoADay = await messageCampaign(db, tenantId, { limits: { frequencyCaps: [{ max: 2, windowHours: 24 }] } });
    const queue = await customerSentTo(tenantId, twoADay, "email", now);
    const held = await queue(quiet, "sms", 2 * minute);
    const due = await queue(twoADay, "sms", minute);
    const claimed = await claimForTenant(db, tenantId, now);
    const decisions = await decideSends(db, claimed, { now });
    const of = (id: string) => decisions[claimed.findIndex((m) => m.id === id)];
    expect(of(held)).toMatchObject({ action: "hold" });
    expect(outcome(of(due))).toBe("send");
  });
});
