import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  brandApp,
  campaignScenario,
  eventually,
  messagesOf,
  pushTemplate,
  quietPeriod,
  received,
  type SignedReceiver,
  scenarioTimeoutMs,
  settledMessage,
  subscribeMessages,
  walletOf,
} from "./campaign-fixture.ts";
import type { TestSystem } from "./system-fixture.ts";

vi.setConfig({ testTimeout: scenarioTimeoutMs });

// Acceptance scenarios 1 and 4 of the specification: campaigns triggered by the brand app (registration, the
// profile form), configured only through tRPC and the gateway, run by the campaign runner and the message sender
// over the real Postgres, NATS JetStream and ClickHouse.

const scenario = campaignScenario();
let system: TestSystem;
let db: Db;
let receiver: SignedReceiver;
beforeAll(() => {
  ({ system, db, receiver } = scenario);
});

const fries = { kind: "percent_off" as const, percent: 50, match: { skus: ["FRIES"] } };

describe("campaigns the brand app sets off", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Campaign Burgers");
    await subscribeMessages(system, tenant, receiver);
  });

  it("scenario 1: registering with every marketing consent puts the discounted fries coupon in the wallet, once", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    const coupon = await admin.coupons.create.mutate({
      name: "Discounted fries",
      benefit: fries,
      codes: { kind: "unique", pattern: "FRIES-XXXXX" },
    });
    // E-mail rather than push: the address comes with the sign-up, while a push device is registered after it.
    const template = await admin.templates.create.mutate({
      name: "Welcome",
      channel: "email",
      variants: [
        {
          channel: "email",
          language: "en",
          subject: "Welcome, {{ customer.first_name }}",
          format: "text",
          body: "Half-price fries are in your wallet: {{ coupon.code }}",
        },
      ],
    });
    const welcome = await admin.campaigns.create.mutate({
      name: "Welcome",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [
        { type: "issue_coupon", couponCampaignId: coupon.id },
        { type: "send_message", channel: "email", templateId: template.id },
      ],
    });

    const app = brandApp(system, tenant);
    const subject = `apple-welcome-${Date.now()}`;
    const signedUp = await app.register(subject, { email: "ada@example.com" });
    expect(signedUp.outcome).toBe("created");
    const customerId = signedUp.customer.id;

    const wallet = await eventually("the welcome coupon in the wallet", async () => {
      const w = await walletOf(system, tenant, customerId);
      return w.length ? w : undefined;
    });
    expect(wallet).toMatchObject([{ campaignId: coupon.id, name: "Discounted fries", uses: 0 }]);
    expect(wallet[0]!.code).toMatch(/^FRIES-/);

    // The same identity signing up again is the same customer, and nothing more is issued.
    const again = await app.register(subject, { email: "ada@example.com" });
    expect(again).toMatchObject({ outcome: "existing", customer: { id: customerId } });
    const message = await settledMessage(system, tenant, customerId, welcome.id);
    await quietPeriod();
    expect(await walletOf(system, tenant, customerId)).toHaveLength(1);
    expect(await messagesOf(system, tenant, { customerId })).toHaveLength(1);

    expect(message).toMatchObject({ channel: "email", status: "sent" });
    const mails = await received(db, tenant, customerId, "email");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain(wallet[0]!.code);

    const sent = await eventually("message.sent at the tenant's endpoint", async () => {
      const hits = receiver.verified.filter((d) => d.type === "message.sent" && d.data.messageId === message.id);
      return hits.length ? hits : undefined;
    });
    expect(sent[0]!.data).toMatchObject({ customerId, campaignId: welcome.id, channel: "email" });
    expect(receiver.rejected()).toBe(0);

    const results = await eventually("the welcome campaign's results", async () => {
      const r = await admin.campaigns.results.query({ id: welcome.id });
      return r.reach.entered === 1 && r.messages.sent === 1 ? r : undefined;
    });
    expect(results).toMatchObject({ reach: { entered: 1, control: 0 }, coupons: { issued: 1 } });
  });
});

describe("completing the profile", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Profile Form Burgers");
    await subscribeMessages(system, tenant, receiver);
  });

  it("scenario 4: a push asks members without a date of birth to complete their profile; completing it issues a bonus coupon once", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    const app = brandApp(system, tenant);
    const run = Date.now();
    const withoutBirthday = await app.member(`apple-nodob-${run}`);
    const withBirthday = await app.member(`apple-dob-${run}`, { dateOfBirth: "1990-04-17" });

    const { segment } = await admin.segments.create.mutate({
      name: "No date of birth",
      definition: { all: [{ type: "has_field", field: "date_of_birth", present: false }] },
    });
    // Members are read from ClickHouse, where the customers' snapshots arrive through the domain stream.
    await eventually("the segment holds the member without a date of birth only", async () => {
      await admin.segments.refresh.mutate({ id: segment.id });
      const ids = (await admin.segments.members.query({ id: segment.id })).members.map((m) => m.customerId);
      return ids.includes(withoutBirthday.id) && !ids.includes(withBirthday.id) ? ids : undefined;
    });

    const ask = await pushTemplate(
      system,
      tenant,
      "Tell us your birthday, {{ customer.first_name }}",
      "Complete your profile and get a treat",
    );
    const completeProfile = await admin.campaigns.create.mutate({
      name: "Complete your profile",
      audience: { kind: "segment", segmentId: segment.id },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: new Date(Date.now() + 2_000).toISOString() } },
      actions: [{ type: "send_message", channel: "push", templateId: ask.id }],
    });
    await admin.campaigns.schedule.mutate({ id: completeProfile.id });

    const bonus = await admin.coupons.create.mutate({
      name: "Thanks for your birthday",
      benefit: { kind: "fixed_off", amount: 300 },
      codes: { kind: "unique", pattern: "BDAY-XXXXX" },
    });
    const reward = await admin.campaigns.create.mutate({
      name: "Profile completed",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "profile_completed" },
      actions: [{ type: "issue_coupon", couponCampaignId: bonus.id }],
    });

    const asked = await settledMessage(system, tenant, withoutBirthday.id, completeProfile.id);
    expect(asked).toMatchObject({ channel: "push", status: "sent" });
    const pushes = await received(db, tenant, withoutBirthday.id);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.body).toContain("Complete your profile");

    // The form: the date of birth saved, then the app's event.
    await app.updateProfile(withoutBirthday.id, { dateOfBirth: "1991-05-20" });
    // One instant for both posts of the form's event: a retry sends the same body (another would be a 409).
    const formFilledAt = new Date().toISOString();
    const completed = (eventId: string) =>
      system.post("/v1/events", tenant.apiKeys.app, {
        eventId,
        type: "profile_completed",
        occurredAt: formFilledAt,
        customer: { id: withoutBirthday.id },
        channel: "app",
      });
    expect((await completed(`form-${run}`)).status).toBe(202);
    const wallet = await eventually("the bonus coupon", async () => {
      const w = await walletOf(system, tenant, withoutBirthday.id);
      return w.length ? w : undefined;
    });
    expect(wallet).toMatchObject([{ campaignId: bonus.id, name: "Thanks for your birthday" }]);

    // The same event posted again (a retry) and a second completion of the form issue nothing more.
    expect((await completed(`form-${run}`)).body).toMatchObject({ duplicate: true });
    expect((await completed(`form-${run}-again`)).status).toBe(202);
    await quietPeriod();
    expect(await walletOf(system, tenant, withoutBirthday.id)).toHaveLength(1);
    expect(await walletOf(system, tenant, withBirthday.id)).toHaveLength(0);
    expect(await received(db, tenant, withBirthday.id)).toHaveLength(0);

    await eventually("message.sent at the tenant's endpoint", async () =>
      receiver.verified.find((d) => d.type === "message.sent" && d.data.messageId === asked.id),
    );
    const results = await eventually("the campaigns' results", async () => {
      const ask = await admin.campaigns.results.query({ id: completeProfile.id });
      const paid = await admin.campaigns.results.query({ id: reward.id });
      return ask.messages.sent === 1 && paid.reach.entered === 1 ? { ask, paid } : undefined;
    });
    expect(results.ask.reach).toEqual({ entered: 1, control: 0 });
    expect(results.paid.coupons.issued).toBe(1);
  });
});
