import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let other: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  [t, other] = await Promise.all([tenantCallers(db, "Profile Desk"), tenantCallers(db, "Profile Desk Other")]);
});
afterAll(async () => {
  await db?.$disconnect();
});

const auditOf = (tenantId: string, action: string) =>
  db.auditLog.findMany({ where: { tenantId, action }, orderBy: { id: "asc" } });

describe("customers.register / updateProfile / setConsents / consentHistory (admin)", () => {
  it("registers, changes the profile and records consents, each audited with the acting key", async () => {
    const registered = await t.admin.customers.register({
      phone: "+48 605 000 001",
      phoneVerified: true,
      name: "Walk-in Regular",
    });
    expect(registered).toMatchObject({ outcome: "created", customer: { phone: "+48605000001", phoneVerified: true } });
    const id = registered.customer.id;
    const again = await t.admin.customers.register({ phone: "+48605000001", phoneVerified: true });
    expect(again).toMatchObject({ outcome: "existing", customer: { id } });

    const update = await t.admin.customers.updateProfile({ customerId: id, email: "walk-in@example.com" });
    expect(update).toMatchObject({ changed: ["email"], customer: { email: "walk-in@example.com" } });
    expect((await t.admin.customers.updateProfile({ customerId: id, email: "walk-in@example.com" })).changed).toEqual(
      [],
    );

    const consents = await t.admin.customers.setConsents({
      customerId: id,
      consents: [{ channel: "sms", purpose: "marketing", granted: true }],
      source: "store:paper-form",
    });
    expect(consents.consents).toMatchObject([{ channel: "sms", granted: true, source: "store:paper-form" }]);
    await t.admin.customers.setConsents({
      customerId: id,
      consents: [{ channel: "sms", purpose: "marketing", granted: false }],
    });
    const history = await t.admin.customers.consentHistory({ customerId: id, channel: "sms" });
    expect(history.items.map((h) => [h.granted, h.source, h.actor])).toEqual([
      [false, "admin", t.adminKeyId],
      [true, "store:paper-form", t.adminKeyId],
    ]);

    expect(await auditOf(t.tenantId, "customers.register")).toEqual([
      expect.objectContaining({
        actor: t.adminKeyId,
        target: id,
        details: { outcome: "created", changed: ["name", "phone", "phoneVerified"], mergedCustomerIds: [] },
      }),
    ]);
    expect(await auditOf(t.tenantId, "customers.updateProfile")).toEqual([
      expect.objectContaining({ target: id, details: { changed: ["email"], mergedCustomerIds: [] } }),
    ]);
    expect(await auditOf(t.tenantId, "customers.setConsents")).toHaveLength(2);
  });

  it("is for admin keys, and another tenant's admin finds nothing", async () => {
    const { customer } = await t.admin.customers.register({
      externalIdentity: { provider: "brand", subject: "desk-2" },
    });
    for (const caller of [t.kiosk, t.pos, t.analyst]) {
      expect(
        (await failure(caller.customers.register({ externalIdentity: { provider: "brand", subject: "x" } }))).code,
      ).toBe("FORBIDDEN");
      expect((await failure(caller.customers.consentHistory({ customerId: customer.id }))).code).toBe("FORBIDDEN");
    }
    expect((await failure(other.admin.customers.updateProfile({ customerId: customer.id, name: "X" }))).code).toBe(
      "NOT_FOUND",
    );
    const consent = {
      customerId: customer.id,
      consents: [{ channel: "push" as const, purpose: "marketing" as const, granted: true }],
    };
    expect((await failure(other.admin.customers.setConsents(consent))).code).toBe("NOT_FOUND");
    expect((await failure(other.admin.customers.consentHistory({ customerId: customer.id }))).code).toBe("NOT_FOUND");
    expect(await auditOf(other.tenantId, "customers.setConsents")).toEqual([]);
  });

  it("audits a registration of a known identity that replaces the proven phone, and not one that changes nothing", async () => {
    const externalIdentity = { provider: "brand" as const, subject: "desk-phone-change" };
    const first = await t.admin.customers.register({ externalIdentity, phone: "+48605000101", phoneVerified: true });
    const id = first.customer.id;
    const again = await t.admin.customers.register({ externalIdentity, phone: "+48605000102", phoneVerified: true });
    expect(again).toMatchObject({ outcome: "existing", customer: { id, phone: "+48605000102", phoneVerified: true } });
    await t.admin.customers.register({ externalIdentity, phone: "+48605000102", phoneVerified: true });

    const registrations = (await auditOf(t.tenantId, "customers.register")).filter((a) => a.target === id);
    // Names the field as a profile update's audit does, never the numbers.
    expect(registrations.map((a) => a.details)).toEqual([
      { outcome: "created", changed: ["phone", "phoneVerified", "externalIdentities"], mergedCustomerIds: [] },
      { outcome: "existing", changed: ["phone"], mergedCustomerIds: [] },
    ]);
    expect(JSON.stringify(registrations)).not.toContain("605000");
  });

  it("names the refused field", async () => {
    const bad = await failure(t.admin.customers.register({ phone: "+48 605", phoneVerified: true }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(issuesOf(bad)).toEqual([{ path: "phone", message: expect.stringMatching(/not a valid number/) }]);
    const none = await failure(t.admin.customers.updateProfile({ customerId: "cus_01jd4z8x9r3v7q2m5n6p8t0w1y" }));
    expect(issuesOf(none)?.[0]?.message).toMatch(/at least one of/);
  });
});
