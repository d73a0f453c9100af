import { type Db, withTransaction } from "@regulars/db";
import { sendFailure } from "@regulars/messaging";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decideSend, queueCampaignMessage, recordFailure, recordSent } from "../src/index.ts";
import {
  claimForTenant,
  messageCustomer,
  messageTemplate,
  queueCampaignSms,
  smsCampaignSetup,
  stepKeyOf,
  yearAhead,
} from "./fixtures.ts";

// Claims and results on their own: leases, a share per channel, and a result that comes after its lease ran out.

let db: Db;
// Each test has a tenant of its own: claims are by tenant, and one test's leftovers are not another's to claim.
let tenantId: string;
let campaignId: string;
let smsTemplate: string;
const ahead = yearAhead();
const at = (seconds: number) => new Date(ahead.getTime() + seconds * 1000);

beforeAll(() => {
  db = testDb();
});
beforeEach(async () => {
  ({ tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, "Claim Grill"));
});
afterAll(async () => {
  await db?.$disconnect();
});

const queueSms = (customerId: string, sendAt = ahead) =>
  queueCampaignSms(db, { tenantId, campaignId, templateId: smsTemplate, customerId, sendAt });
const claim = (now: Date, extra: Parameters<typeof claimForTenant>[3] = {}) => claimForTenant(db, tenantId, now, extra);

describe("claims", () => {
  it("hand each due message to one claimant until its lease ends", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600400001" });
    const ids = await Promise.all(Array.from({ length: 12 }, () => queueSms(customerId)));
    const claims = await Promise.all([claim(at(1)), claim(at(1)), claim(at(1))]);
    const claimed = claims.flat().map((c) => c.id);
    expect(new Set(claimed)).toEqual(new Set(ids));
    expect(claimed).toHaveLength(12);
    expect(await claim(at(30))).toEqual([]);
    expect((await claim(at(62))).map((c) => c.id).sort()).toEqual([...ids].sort());
  });

  it("take at most perChannel of a channel, counting what is in flight", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600400002", email: "ada@example.com" });
    const email = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const later = at(3_600);
    await Promise.all([1, 2, 3, 4].map(() => queueSms(customerId, later)));
    const mail = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId,
        customerId,
        stepKey: stepKeyOf(),
        templateId: email,
        channel: "email",
        sendAt: new Date(later.getTime() + 1),
      }),
    );
    const now = new Date(later.getTime() + 1_000);
    const first = await claim(now, { perChannel: 2, inFlight: new Map([["sms", 1]]) });
    expect(first.map((c) => c.channel).sort()).toEqual(["email", "sms"]);
    expect(first.find((c) => c.channel === "email")!.id).toBe(mail.messageId);
    expect(await claim(now, { perChannel: 2, inFlight: new Map([["sms", 2]]) })).toEqual([]);
    expect(await claim(now, { perChannel: 2 })).toHaveLength(2);
  });
});

describe("results", () => {
  it("are written only by the attempt that holds the message: a late answer after the lease ran out is stale", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600400003" });
    const id = await queueSms(customerId, at(7_200));
    const [slow] = await claim(at(7_201));
    const [second] = await claim(at(7_262));
    expect(slow!.id).toBe(id);
    expect(second!.id).toBe(id);
    const decision = await decideSend(db, second!);
    if (decision.action !== "send") throw new Error(`expected to send, got ${decision.action}`);
    const sent = await recordSent(db, second!, decision.message, "http-sms", "gw-2", at(7_263));
    expect(sent.outcome).toBe("sent");
    const late = await recordFailure(db, slow!, decision.message, "http-sms", sendFailure("timeout", "no answer"), {
      now: at(7_264),
    });
    expect(late).toEqual({ outcome: "stale", outbox: [] });
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "sent",
      attempts: 1,
      providerMessageId: "gw-2",
      lastError: null,
    });
  });
});
