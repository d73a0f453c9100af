import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, signedInStaff, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Settings Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("tenants.settings and tenants.setLanguage", () => {
  it("shows the brand's settings with the languages the till's code is written in", async () => {
    expect(await t.admin.tenants.settings()).toEqual({
      name: expect.stringMatching(/^Settings Grill/),
      timezone: "Europe/Warsaw",
      currency: "EUR",
      language: "en",
      codeLanguages: expect.arrayContaining(["en", "pl", "de"]),
    });
  });

  it("sets the language, audited with who set it, and refuses a tag that is none with the field", async () => {
    expect((await t.admin.tenants.setLanguage({ language: "pl" })).language).toBe("pl");
    expect((await t.admin.tenants.settings()).language).toBe("pl");
    const [audit] = await db.$queryRaw<{ actor: string; details: unknown }[]>`
      SELECT actor, details FROM audit_log WHERE tenant_id = ${t.tenantId} AND action = 'tenants.setLanguage'`;
    expect(audit).toEqual({ actor: t.adminKeyId, details: { from: "en", to: "pl" } });

    const refused = await failure(t.admin.tenants.setLanguage({ language: "Polish" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(issuesOf(refused)).toEqual([{ path: "language", message: expect.stringMatching(/language tag/) }]);
    expect((await t.admin.tenants.settings()).language).toBe("pl");
  });

  it("is for admin keys and the staff who act as admins; not for tills, kiosks or analysts", async () => {
    for (const caller of [t.pos, t.kiosk, t.analyst]) {
      expect((await failure(caller.tenants.setLanguage({ language: "de" }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.tenants.settings())).code).toBe("FORBIDDEN");
    }
    const marketer = await signedInStaff(db, t.tenantId, "marketer");
    expect((await marketer.caller.tenants.setLanguage({ language: "de" })).language).toBe("de");
  });
});
