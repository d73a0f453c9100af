import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentHistory, currentConsents, registerCustomer, setConsents } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

let db: Db;
let tenantId: string;
let otherTenantId: string;
const now = new Date();
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);

beforeAll(async () => {
  db = testDb();
  const [a, b] = await Promise.all([loyaltyTenant(db, "Consent A"), loyaltyTenant(db, "Consent B")]);
  tenantId = a.tenantId;
  otherTenantId = b.tenantId;
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const customer = async () =>
  (
    await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `consent-${++n}` } }),
      appOrigin(minutes(-60)),
    )
  ).customer.id;
const pushMarketing = (granted: boolean) => ({ channel: "push" as const, purpose: "marketing" as const, granted });
// By when the choice was made, then channel: events written by one statement share their insert time, so the
// outbox's own order between them is not fixed.
const consentEvents = async (customerId: string) =>
  (await outboxOf(db, tenantId, "consent.changed"))
    .filter((e) => e.customerId === customerId)
    .sort(
      (a, b) =>
        String(a.occurredAt).localeCompare(String(b.occurredAt)) || String(a.channel).localeCompare(String(b.channel)),
    );

describe("consents", () => {
  it("keeps every choice with its time and source; the consent in force is the latest; a retry changes nothing", async () => {
    const id = await customer();
    const at = (m: number, source = "app:settings") => ({ actor: "key_app", source, now: minutes(m) });
    expect(
      await setConsents(
        db,
        tenantId,
        id,
        { consents: [pushMarketing(true), { channel: "sms", purpose: "profiling", granted: true }] },
        at(-30, "app:onboarding"),
      ),
    ).toEqual([
      {
        channel: "push",
        purpose: "marketing",
        granted: true,
        source: "app:onboarding",
        occurredAt: minutes(-30).toISOString(),
      },
      {
        channel: "sms",
        purpose: "profiling",
        granted: true,
        source: "app:onboarding",
        occurredAt: minutes(-30).toISOString(),
      },
    ]);
    await setConsents(db, tenantId, id, { consents: [pushMarketing(true)] }, at(-20)); // in force, chosen again
    // A retried request (the same choice at the same time) records nothing.
    await setConsents(
      db,
      tenantId,
      id,
      { consents: [pushMarketing(true)], occurredAt: minutes(-20).toISOString() },
      at(-19),
    );
    await setConsents(db, tenantId, id, { consents: [pushMarketing(false)] }, at(-10));
    // A choice made before the one in force (an offline phone uploading late) is history, not the state.
    await setConsents(
      db,
      tenantId,
      id,
      { consents: [pushMarketing(true)], occurredAt: minutes(-15).toISOString() },
      at(0),
    );

    const current = await currentConsents(db, tenantId, id);
    expect(current.find((c) => c.channel === "push")).toMatchObject({
      granted: false,
      occurredAt: minutes(-10).toISOString(),
    });
    const history = await consentHistory(db, tenantId, id, { channel: "push", limit: 10 });
    expect(history.items.map((h) => [h.granted, h.source, h.occurredAt, h.recordedAt])).toEqual([
      [true, "app:settings", minutes(-15).toISOString(), minutes(0).toISOString()],
      [false, "app:settings", minutes(-10).toISOString(), minutes(-10).toISOString()],
      [true, "app:settings", minutes(-20).toISOString(), minutes(-20).toISOString()],
      [true, "app:onboarding", minutes(-30).toISOString(), minutes(-30).toISOString()],
    ]);
    expect(history.items[0]!.actor).toBe("key_app");
    const events = await consentEvents(id);
    expect(events.map((e) => [e.channel, e.granted, e.occurredAt])).toEqual([
      ["push", true, minutes(-30).toISOString()],
      ["sms", true, minutes(-30).toISOString()],
      ["push", false, minutes(-10).toISOString()],
    ]);
    expect(events[0]).toMatchObject({
      type: "consent.changed",
      id: expect.stringMatching(/^consent\.changed:cns_/),
      tenantId,
    });
  });

  it("records a choice repeated later, so an older opposite choice uploaded late does not win", async () => {
    const id = await customer();
    const smsMarketing = { channel: "sms" as const, purpose: "marketing" as const };
    const choose = (granted: boolean, madeAt: number, recordedAt = madeAt) =>
      setConsents(
        db,
        tenantId,
        id,
        { consents: [{ ...smsMarketing, granted }], occurredAt: minutes(madeAt).toISOString() },
        appOrigin(minutes(recordedAt)),
      );
    await choose(false, -30);
    await choose(false, -10); // the same choice again: not a change, but now the latest
    await choose(true, -20, 0); // an offline phone uploads a grant made between the two

    expect((await currentConsents(db, tenantId, id)).find((c) => c.channel === "sms")).toMatchObject({
      granted: false,
      occurredAt: minutes(-10).toISOString(),
    });
    const history = await consentHistory(db, tenantId, id, { channel: "sms", limit: 10 });
    expect(history.items.map((h) => [h.granted, h.occurredAt])).toEqual([
      [true, minutes(-20).toISOString()],
      [false, minutes(-10).toISOString()],
      [false, minutes(-30).toISOString()],
    ]);
    // Announced once: repeating a choice changes nothing, and the late grant never was in force.
    expect((await consentEvents(id)).map((e) => [e.granted, e.occurredAt])).toEqual([
      [false, minutes(-30).toISOString()],
    ]);
  });

  it("lets a withdrawal made after a grant stamped ahead of our clock take effect; a retry of the grant does not undo it", async () => {
    const id = await customer();
    const emailMarketing = (granted: boolean) => ({
      channel: "email" as const,
      purpose: "marketing" as const,
      granted,
    });
    // The app's clock runs 4 minutes fast: the grant made at minute 0 is stamped minute 4.
    const fastClockGrant = { consents: [emailMarketing(true)], occurredAt: minutes(4).toISOString() };
    await setConsents(db, tenantId, id, fastClockGrant, appOrigin(minutes(0)));
    // A minute later an admin withdraws it (no time given: now).
    const afterWithdrawal = await setConsents(
      db,
      tenantId,
      id,
      { consents: [emailMarketing(false)] },
      { actor: "key_admin", source: "admin", now: minutes(1) },
    );
    expect(afterWithdrawal.find((c) => c.channel === "email")).toMatchObject({ granted: false, source: "admin" });
    // The app retries the grant's request: the same choice at the same time, already kept.
    await setConsents(db, tenantId, id, fastClockGrant, appOrigin(minutes(2)));
    // An older grant uploaded late (made at minute -5) does not override the withdrawal either.
    await setConsents(
      db,
      tenantId,
      id,
      { consents: [emailMarketing(true)], occurredAt: minutes(-5).toISOString() },
      appOrigin(minutes(3)),
    );

    expect((await currentConsents(db, tenantId, id)).find((c) => c.channel === "email")).toMatchObject({
      granted: false,
      occurredAt: minutes(1).toISOString(),
    });
    expect((await consentHistory(db, tenantId, id, { limit: 10 })).items.map((h) => h.granted)).toEqual([
      true,
      false,
      true,
    ]);
    expect((await consentEvents(id)).map((e) => [e.channel, e.granted])).toEqual([
      ["email", true],
      ["email", false],
    ]);
  });

  it("pages the history newest first and filters by purpose", async () => {
    const id = await customer();
    for (let i = 0; i < 5; i++)
      await setConsents(db, tenantId, id, { consents: [pushMarketing(i % 2 === 0)] }, appOrigin(minutes(-50 + i)));
    await setConsents(
      db,
      tenantId,
      id,
      { consents: [{ channel: "email", purpose: "profiling", granted: true }] },
      appOrigin(now),
    );
    const first = await consentHistory(db, tenantId, id, { purpose: "marketing", limit: 3 });
    const second = await consentHistory(db, tenantId, id, { purpose: "marketing", limit: 3, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((h) => h.granted)).toEqual([true, false, true, false, true]);
    expect(second.nextCursor).toBeNull();
    expect((await consentHistory(db, tenantId, id, { limit: 10 })).items).toHaveLength(6);
  });

  it("refuses a choice dated more than 5 minutes ahead, and another tenant's customer", async () => {
    const id = await customer();
    const ahead = setConsents(
      db,
      tenantId,
      id,
      { consents: [pushMarketing(true)], occurredAt: minutes(6).toISOString() },
      appOrigin(now),
    );
    await expect(ahead).rejects.toMatchObject({ code: "invalid_request", issues: [{ path: "occurredAt" }] });
    await expect(
      setConsents(db, otherTenantId, id, { consents: [pushMarketing(true)] }, appOrigin(now)),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(consentHistory(db, otherTenantId, id, { limit: 5 })).rejects.toMatchObject({ code: "not_found" });
    expect(await db.customerConsent.count({ where: { customerId: id } })).toBe(0);
  });
});
