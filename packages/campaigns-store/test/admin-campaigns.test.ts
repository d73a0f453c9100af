import { nextBroadcastRuns } from "@regulars/campaigns";
import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  campaignVersion,
  campaignVersions,
  createCampaign,
  createTemplate,
  getCampaign,
  listCampaigns,
  setCampaignStatus,
  updateCampaign,
} from "../src/index.ts";
import { ACTOR, campaignTenant, domainError, emailTemplate, smsVariant, welcomeDefinition } from "./admin-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const hour = 3_600_000;
const zone = "Europe/Warsaw";
const localHourMinute = (d: Date) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

/** A daily broadcast at 18:00 (the tenant's zone) to every member. */
const dailyBroadcast = (templateId: string, more: Record<string, unknown> = {}) =>
  welcomeDefinition(templateId, {
    name: "Daily offer",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "daily", time: "18:00" } },
    ...more,
  });

describe("creating and changing campaigns", () => {
  it("saves the definition as version 1 in its status, audited, readable with its versions", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const now = new Date();
    const created = await createCampaign(db, tenantId, welcomeDefinition(template.id), ACTOR, now);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^cmp_/),
      name: "Welcome",
      status: "draft",
      triggerType: "registered",
      version: 1,
      nextRunAt: null,
      startedAt: null,
      createdBy: ACTOR,
      versions: [{ version: 1, createdBy: ACTOR }],
    });
    // Defaults of the contract are filled in when saved.
    expect(created.definition).toMatchObject({
      schemaVersion: 1,
      status: "draft",
      delivery: { timing: { at: "immediately" }, zone: "customer", quietHours: null },
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [] },
      controlGroup: null,
    });
    expect(await getCampaign(db, tenantId, created.id)).toEqual(created);
    expect(await db.auditLog.findMany({ where: { tenantId, action: { startsWith: "campaigns." } } })).toEqual([
      expect.objectContaining({ actor: ACTOR, action: "campaigns.create", target: created.id }),
    ]);

    const active = await createCampaign(db, tenantId, welcomeDefinition(template.id, { status: "active" }), ACTOR, now);
    expect(active).toMatchObject({ status: "active", startedAt: now.toISOString() });
  });

  it("refuses a definition that is not one, naming the fields", async () => {
    const tenantId = await campaignTenant(db);
    const e = await domainError(
      createCampaign(
        db,
        tenantId,
        { name: "", audience: { kind: "none" }, trigger: { type: "soon" }, actions: [] },
        ACTOR,
      ),
    );
    expect(e.code).toBe("invalid_request");
    expect(e.issues!.map((i) => i.path)).toEqual(expect.arrayContaining(["name", "trigger.type", "actions"]));
    const paused = await domainError(
      createCampaign(db, tenantId, welcomeDefinition("tpl_x", { status: "paused" }), ACTOR),
    );
    expect(paused.issues).toEqual([{ path: "status", message: expect.any(String) }]);
  });

  it("checks that what the definition names is the tenant's: coupons, segments, templates of the channel", async () => {
    const tenantId = await campaignTenant(db);
    const other = await campaignTenant(db, { name: "Other Grill" });
    const email = await emailTemplate(db, tenantId);
    const sms = await createTemplate(db, tenantId, { name: "Text", channel: "sms", variants: [smsVariant()] }, ACTOR);
    const foreign = await emailTemplate(db, other);
    const e = await domainError(
      createCampaign(
        db,
        tenantId,
        welcomeDefinition(email.id, {
          audience: { kind: "segment", segmentId: "seg_missing" },
          trigger: { type: "segment_entered", segmentId: "seg_missing" },
          actions: [
            { type: "issue_coupon", couponCampaignId: "cpn_missing" },
            { type: "send_message", channel: "email", templateId: sms.id },
            { type: "send_message", channel: "email", templateId: foreign.id },
            { type: "send_message", channel: "email", templateId: email.id },
          ],
        }),
        ACTOR,
      ),
    );
    expect(e.code).toBe("invalid_request");
    expect(e.issues!.map((i) => i.path)).toEqual([
      "actions.0.couponCampaignId",
      "actions.1.templateId",
      "actions.2.templateId",
      "audience.segmentId",
      "trigger.segmentId",
    ]);
    expect(e.issues![1]!.message).toMatch(/is for sms, not email/);

    const coupon = await createCouponCampaign(
      db,
      tenantId,
      {
        name: "Fries",
        benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
        codes: { kind: "generic", code: `FRIES${Date.now()}` },
      },
      ACTOR,
    );
    const saved = await createCampaign(
      db,
      tenantId,
      welcomeDefinition(email.id, {
        actions: [
          { type: "issue_coupon", couponCampaignId: coupon.id },
          { type: "send_message", channel: "email", templateId: email.id },
        ],
      }),
      ACTOR,
    );
    expect(saved.definition.actions).toHaveLength(2);
  });

  it("saves each change as a new version, keeps the status when the change gives none, and refuses archived ones", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const created = await createCampaign(db, tenantId, welcomeDefinition(template.id, { status: "active" }), ACTOR);
    const changed = await updateCampaign(
      db,
      tenantId,
      created.id,
      welcomeDefinition(template.id, { name: "Welcome, again" }),
      ACTOR,
    );
    expect(changed).toMatchObject({ name: "Welcome, again", version: 2, status: "active" });
    expect(changed.startedAt).toBe(created.startedAt);
    expect((await campaignVersions(db, tenantId, created.id)).map((v) => v.version)).toEqual([2, 1]);
    expect((await campaignVersion(db, tenantId, created.id, 1)).definition.name).toBe("Welcome");

    // A status in the definition is a move, checked as one.
    const back = await domainError(
      updateCampaign(db, tenantId, created.id, welcomeDefinition(template.id, { status: "draft" }), ACTOR),
    );
    expect(back.code).toBe("conflict");
    const paused = await updateCampaign(
      db,
      tenantId,
      created.id,
      welcomeDefinition(template.id, { status: "paused" }),
      ACTOR,
    );
    expect(paused).toMatchObject({ status: "paused", version: 3 });

    await setCampaignStatus(db, tenantId, created.id, "archived", ACTOR);
    const refused = await domainError(updateCampaign(db, tenantId, created.id, welcomeDefinition(template.id), ACTOR));
    expect(refused.code).toBe("conflict");
    expect((await getCampaign(db, tenantId, created.id)).version).toBe(3);
    expect(
      (await db.auditLog.findMany({ where: { tenantId, target: created.id }, orderBy: { id: "asc" } })).map(
        (a) => a.action,
      ),
    ).toEqual(["campaigns.create", "campaigns.update", "campaigns.update", "campaigns.status"]);
  });
});

describe("status moves", () => {
  it("follows canMove: activate, pause, resume, archive; archived is final; a repeated move is a no-op", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const { id } = await createCampaign(db, tenantId, welcomeDefinition(template.id), ACTOR);
    const t0 = new Date(Date.now() - 3 * hour);
    const active = await setCampaignStatus(db, tenantId, id, "active", ACTOR, t0);
    expect(active).toMatchObject({ status: "active", startedAt: t0.toISOString(), version: 1 });
    expect(active.definition?.status).toBe("active");
    expect((await domainError(setCampaignStatus(db, tenantId, id, "draft", ACTOR))).code).toBe("conflict");
    expect((await domainError(setCampaignStatus(db, tenantId, id, "scheduled", ACTOR))).code).toBe("conflict");
    await setCampaignStatus(db, tenantId, id, "paused", ACTOR);
    // Resuming does not start the campaign again: started_at is its first activation.
    const resumed = await setCampaignStatus(db, tenantId, id, "active", ACTOR);
    expect(resumed.startedAt).toBe(t0.toISOString());
    expect(await setCampaignStatus(db, tenantId, id, "active", ACTOR)).toEqual(resumed);
    await setCampaignStatus(db, tenantId, id, "archived", ACTOR);
    for (const to of ["active", "paused", "draft"] as const)
      expect((await domainError(setCampaignStatus(db, tenantId, id, to, ACTOR))).code).toBe("conflict");
    const moves = await db.auditLog.findMany({
      where: { tenantId, action: "campaigns.status" },
      orderBy: { id: "asc" },
    });
    expect(moves.map((m) => m.details)).toEqual([
      expect.objectContaining({ from: "draft", to: "active" }),
      expect.objectContaining({ from: "active", to: "paused" }),
      expect.objectContaining({ from: "paused", to: "active" }),
      expect.objectContaining({ from: "active", to: "archived" }),
    ]);
  });

  it("schedules only broadcasts; a broadcast's next run is at its local time in the tenant's zone, none while paused", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const welcome = await createCampaign(db, tenantId, welcomeDefinition(template.id), ACTOR);
    const notBroadcast = await domainError(setCampaignStatus(db, tenantId, welcome.id, "scheduled", ACTOR));
    expect(notBroadcast.code).toBe("unprocessable");

    const now = new Date();
    const broadcast = await createCampaign(db, tenantId, dailyBroadcast(template.id), ACTOR, now);
    expect(broadcast.nextRunAt).toBeNull();
    const scheduled = await setCampaignStatus(db, tenantId, broadcast.id, "scheduled", ACTOR, now);
    const expected = nextBroadcastRuns({ repeat: "daily", time: "18:00" }, now, zone)[0]!;
    expect(scheduled).toMatchObject({ status: "scheduled", nextRunAt: expected.toISOString(), startedAt: null });
    expect(localHourMinute(new Date(scheduled.nextRunAt!))).toBe("18:00");
    expect(Date.parse(scheduled.nextRunAt!) - now.getTime()).toBeLessThanOrEqual(25 * hour);

    const paused = await setCampaignStatus(db, tenantId, broadcast.id, "paused", ACTOR, now);
    expect(paused.nextRunAt).toBeNull();
    // Resumed two days later: the runs missed meanwhile are not made up.
    const later = new Date(now.getTime() + 48 * hour);
    const resumed = await setCampaignStatus(db, tenantId, broadcast.id, "active", ACTOR, later);
    expect(resumed.nextRunAt).toBe(
      nextBroadcastRuns({ repeat: "daily", time: "18:00" }, later, zone)[0]!.toISOString(),
    );
    expect(resumed.startedAt).toBe(later.toISOString());

    // A new schedule moves the next run.
    const changed = await updateCampaign(
      db,
      tenantId,
      broadcast.id,
      dailyBroadcast(template.id, { trigger: { type: "broadcast", schedule: { repeat: "daily", time: "09:30" } } }),
      ACTOR,
      later,
    );
    expect(localHourMinute(new Date(changed.nextRunAt!))).toBe("09:30");
  });

  it("refuses to schedule a one-time broadcast whose time has passed", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const past = new Date(Date.now() - hour).toISOString();
    const once = await createCampaign(
      db,
      tenantId,
      dailyBroadcast(template.id, { trigger: { type: "broadcast", schedule: { repeat: "once", at: past } } }),
      ACTOR,
    );
    const e = await domainError(setCampaignStatus(db, tenantId, once.id, "scheduled", ACTOR));
    expect(e.issues).toEqual([{ path: "trigger.schedule", message: expect.any(String) }]);
    expect((await getCampaign(db, tenantId, once.id)).status).toBe("draft");
  });
});

describe("listing", () => {
  it("filters by status and trigger type and pages newest first", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const a = await createCampaign(db, tenantId, welcomeDefinition(template.id), ACTOR);
    const b = await createCampaign(db, tenantId, welcomeDefinition(template.id, { status: "active" }), ACTOR);
    const c = await createCampaign(db, tenantId, dailyBroadcast(template.id), ACTOR);
    const page1 = await listCampaigns(db, tenantId, { limit: 2 });
    expect(page1.items.map((i) => i.id)).toEqual([c.id, b.id]);
    const page2 = await listCampaigns(db, tenantId, { limit: 2, cursor: page1.nextCursor });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: a.id })], nextCursor: null });
    expect((await listCampaigns(db, tenantId, { limit: 10, status: ["active"] })).items.map((i) => i.id)).toEqual([
      b.id,
    ]);
    expect(
      (await listCampaigns(db, tenantId, { limit: 10, triggerType: ["broadcast"] })).items.map((i) => i.id),
    ).toEqual([c.id]);
    const other = await campaignTenant(db, { name: "Other Grill" });
    expect((await listCampaigns(db, other, { limit: 10 })).items).toEqual([]);
    expect((await domainError(getCampaign(db, other, a.id))).code).toBe("not_found");
  });
});
