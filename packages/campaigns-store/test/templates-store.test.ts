import type { Db } from "@regulars/db";
import { adjustBalance } from "@regulars/ledger-store";
import { programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  archiveTemplate,
  createCampaign,
  createTemplate,
  customerMessageVariables,
  getTemplate,
  listTemplates,
  previewTemplate,
  updateTemplate,
} from "../src/index.ts";
import {
  ACTOR,
  addCustomer,
  campaignTenant,
  domainError,
  emailTemplate,
  emailVariant,
  smsVariant,
  welcomeDefinition,
} from "./admin-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("saving templates", () => {
  it("stores the variants as version 1 and audits the creation", async () => {
    const tenantId = await campaignTenant(db);
    const created = await emailTemplate(db, tenantId);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^tpl_/),
      name: "Welcome",
      channel: "email",
      version: 1,
      archivedAt: null,
      variants: [{ channel: "email", language: "en", format: "html" }],
    });
    expect(await getTemplate(db, tenantId, created.id)).toEqual(created);
    expect(await db.auditLog.findMany({ where: { tenantId } })).toEqual([
      expect.objectContaining({ actor: ACTOR, action: "templates.create", target: created.id }),
    ]);
  });

  it("names every field at fault: an unknown variable, a Liquid error, a language twice, another channel", async () => {
    const tenantId = await campaignTenant(db);
    const e = await domainError(
      createTemplate(
        db,
        tenantId,
        {
          name: "Broken",
          channel: "email",
          variants: [
            emailVariant("en", "Hi {{ customer.frist_name }}"),
            emailVariant("en", "{% if %}"),
            smsVariant("pl"),
          ],
        },
        ACTOR,
      ),
    );
    expect(e.code).toBe("invalid_request");
    const paths = e.issues!.map((i) => i.path);
    expect(paths).toContain("variants.0.body");
    expect(e.issues).toContainEqual({ path: "variants.0.body", message: expect.stringMatching(/frist_name/) });
    expect(paths).toContain("variants.1.body");
    expect(paths).toContain("variants.1.language");
    expect(paths).toContain("variants.2.channel");
    expect(await db.messageTemplate.count({ where: { tenantId } })).toBe(0);
  });

  it("refuses a variant that breaks a render limit, or reads a deep link nothing fills in, with its field", async () => {
    const tenantId = await campaignTenant(db);
    const loop = "{% for i in (1..30000000) %}{% endfor %}Hi {{ customer.first_name }}";
    const bomb = await domainError(
      createTemplate(db, tenantId, { name: "Loop", channel: "sms", variants: [smsVariant("en", loop)] }, ACTOR),
    );
    expect(bomb.code).toBe("invalid_request");
    expect(bomb.issues).toEqual([
      { path: "variants.0.body", message: expect.stringMatching(/^renders too much: .*100,000 items/) },
    ]);
    expect(bomb.message).toMatch(/^the template cannot be saved: variants\.0\.body: renders too much/);

    const push = {
      channel: "push",
      language: "en",
      title: "{{ tenant.name }}",
      body: "Hi",
      url: "{{ links.profile }}",
    };
    const link = await domainError(
      createTemplate(db, tenantId, { name: "Tap", channel: "push", variants: [push] }, ACTOR),
    );
    expect(link.issues).toEqual([
      { path: "variants.0.url", message: expect.stringMatching(/^no deep link links\.profile: .*write the address/) },
    ]);
    expect(await db.messageTemplate.count({ where: { tenantId } })).toBe(0);

    const saved = await createTemplate(db, tenantId, { name: "SMS", channel: "sms", variants: [smsVariant()] }, ACTOR);
    const update = await domainError(
      updateTemplate(db, tenantId, saved.id, { variants: [smsVariant("en", "{{ links.menu }}")] }, ACTOR),
    );
    expect(update.issues).toEqual([{ path: "variants.0.body", message: expect.stringMatching(/^no deep link/) }]);
    expect((await getTemplate(db, tenantId, saved.id)).version).toBe(1);
  });

  it("refuses an empty set of variants", async () => {
    const tenantId = await campaignTenant(db);
    const e = await domainError(createTemplate(db, tenantId, { name: "Empty", channel: "sms", variants: [] }, ACTOR));
    expect(e.issues).toEqual([{ path: "variants", message: expect.any(String) }]);
  });

  it("bumps the version on every save and keeps the channel", async () => {
    const tenantId = await campaignTenant(db);
    const created = await emailTemplate(db, tenantId);
    const renamed = await updateTemplate(db, tenantId, created.id, { name: "Hello" }, ACTOR);
    expect(renamed).toMatchObject({ name: "Hello", version: 2, variants: created.variants });
    const translated = await updateTemplate(
      db,
      tenantId,
      created.id,
      { variants: [emailVariant("en"), emailVariant("pl", "<p>Cześć {{ customer.first_name }}</p>")] },
      ACTOR,
    );
    expect(translated.version).toBe(3);
    expect(translated.variants.map((v) => v.language)).toEqual(["en", "pl"]);
    const e = await domainError(updateTemplate(db, tenantId, created.id, { variants: [smsVariant()] }, ACTOR));
    expect(e.issues).toContainEqual({ path: "variants.0.channel", message: expect.any(String) });
    expect((await getTemplate(db, tenantId, created.id)).version).toBe(3);
  });

  it("lists by channel, newest first, without archived ones unless asked", async () => {
    const tenantId = await campaignTenant(db);
    const first = await emailTemplate(db, tenantId, "First");
    const second = await emailTemplate(db, tenantId, "Second");
    const sms = await createTemplate(db, tenantId, { name: "Text", channel: "sms", variants: [smsVariant()] }, ACTOR);
    await archiveTemplate(db, tenantId, first.id, ACTOR);
    expect((await listTemplates(db, tenantId, { channel: "email" })).map((t) => t.id)).toEqual([second.id]);
    expect((await listTemplates(db, tenantId)).map((t) => t.id)).toEqual([sms.id, second.id]);
    expect((await listTemplates(db, tenantId, { includeArchived: true })).map((t) => t.id)).toEqual([
      sms.id,
      second.id,
      first.id,
    ]);
  });

  it("does not archive a template a live campaign sends, nor change an archived one; tenants do not see each other's", async () => {
    const tenantId = await campaignTenant(db);
    const template = await emailTemplate(db, tenantId);
    const campaign = await createCampaign(db, tenantId, welcomeDefinition(template.id), ACTOR);
    const refused = await domainError(archiveTemplate(db, tenantId, template.id, ACTOR));
    expect(refused.code).toBe("conflict");
    expect(refused.message).toContain(campaign.id);

    const unused = await emailTemplate(db, tenantId, "Unused");
    const archived = await archiveTemplate(db, tenantId, unused.id, ACTOR);
    expect(archived.archivedAt).not.toBeNull();
    expect((await domainError(updateTemplate(db, tenantId, unused.id, { name: "Again" }, ACTOR))).code).toBe(
      "conflict",
    );

    const other = await campaignTenant(db, { name: "Other Grill" });
    expect((await domainError(getTemplate(db, other, template.id))).code).toBe("not_found");
  });
});

describe("variables and preview", () => {
  it("builds a customer's variables: names, tier, balance and the gap to the next tier, the tenant", async () => {
    const tenantId = await campaignTenant(db, { tiers: true });
    const customerId = await addCustomer(db, tenantId, "Ada King Lovelace");
    const now = new Date();
    const programme = (await programmeInForce(db, tenantId, now))!;
    await adjustBalance(
      db,
      tenantId,
      ACTOR,
      { customerId, unit: "points", amount: 150, reason: "welcome" },
      { ...programme },
      now,
    );
    const tenant = (await db.tenant.findUnique({ where: { id: tenantId } }))!;
    const variables = await customerMessageVariables(db, tenantId, customerId, { now });
    expect(variables).toEqual({
      customer: { first_name: "Ada", last_name: "King Lovelace", tier: "Bronze" },
      // An adjustment is not points earned: the gap to Silver (200 earned) is all of it.
      points: { balance: 150, next_tier: "Silver", to_next_tier: 200 },
      tenant: { name: tenant.name },
      // By tier, in the tiers' unit, for a `tier_gap` campaign's "Only 200 points to silver".
      tier_gaps: { silver: 200 },
    });
    expect(await customerMessageVariables(db, tenantId, "cus_unknown")).toBeNull();
  });

  it("renders a variant with the customer's data, the language asked for and a sample coupon", async () => {
    const tenantId = await campaignTenant(db);
    const customerId = await addCustomer(db, tenantId, "Grace Hopper");
    const template = await createTemplate(
      db,
      tenantId,
      {
        name: "Coupon",
        channel: "sms",
        variants: [smsVariant("en"), smsVariant("pl", "Cześć {{ customer.first_name }}, kod {{ coupon.code }}")],
      },
      ACTOR,
    );
    const english = await previewTemplate(db, tenantId, { templateId: template.id, customerId });
    expect(english.language).toBe("en");
    expect(english.message.content).toEqual({ channel: "sms", body: "Hi Grace, you have 0 pts" });
    expect(english.message.sms).toBeDefined();

    const polish = await previewTemplate(db, tenantId, {
      templateId: template.id,
      customerId,
      language: "pl-PL",
      sampleCoupon: true,
    });
    expect(polish.message.content).toEqual({ channel: "sms", body: "Cześć Grace, kod SAMPLE-CODE" });

    // Without a coupon the strict renderer names the field that needs one.
    const missing = await domainError(
      previewTemplate(db, tenantId, { templateId: template.id, customerId, language: "pl" }),
    );
    expect(missing.code).toBe("unprocessable");
    expect(missing.issues).toEqual([{ path: "body", message: expect.stringMatching(/coupon/) }]);

    const unknown = await domainError(previewTemplate(db, tenantId, { templateId: template.id, customerId: "cus_x" }));
    expect(unknown.issues).toEqual([{ path: "customerId", message: "no such customer" }]);
  });

  it("writes dates on the tenant's clock, never the server's", async () => {
    // A zone 14 hours from UTC without daylight saving: the server's clock (UTC here) cannot pass for it.
    const tenantId = await campaignTenant(db);
    await db.tenant.update({ where: { id: tenantId }, data: { timezone: "Pacific/Kiritimati" } });
    const customerId = await addCustomer(db, tenantId, "Ada Lovelace");
    const template = await createTemplate(
      db,
      tenantId,
      { name: "Clock", channel: "sms", variants: [smsVariant("en", "{{ 'now' | date: '%z' }}")] },
      ACTOR,
    );
    const preview = await previewTemplate(db, tenantId, { templateId: template.id, customerId });
    expect(preview.message.content).toEqual({ channel: "sms", body: "+1400" });
  });
});
