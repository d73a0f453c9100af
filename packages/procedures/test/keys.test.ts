import type { Db } from "@regulars/db";
import { CredentialCache, findCredential, hashApiKey } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Key Burgers");
});
afterAll(async () => {
  await db?.$disconnect();
});

const auditActions = async () =>
  (await t.admin.audit.list({ limit: 100 })).items.map((i) => [i.action, i.actor, i.target]);

describe("apiKeys", () => {
  it("only an admin key may list or change keys", async () => {
    for (const caller of [t.kiosk, t.pos, t.analyst]) {
      expect((await failure(caller.apiKeys.list())).code).toBe("FORBIDDEN");
      expect((await failure(caller.apiKeys.create({ role: "admin" }))).code).toBe("FORBIDDEN");
    }
  });

  it("lists prefix, role, label, created, last used and revoked, never a key or its hash", async () => {
    await findCredential(db, t.apiKeys.pos); // marks the POS key as used
    await expect
      .poll(async () => (await t.admin.apiKeys.list()).find((k) => k.role === "pos")?.lastUsedAt)
      .not.toBeNull();
    const keys = await t.admin.apiKeys.list();
    expect(keys.map((k) => k.role).sort()).toEqual(["admin", "analyst", "app", "kiosk", "pos"]);
    for (const k of keys) {
      expect(Object.keys(k).sort()).toEqual([
        "createdAt",
        "id",
        "label",
        "lastUsedAt",
        "prefix",
        "revoked",
        "revokedAt",
        "role",
      ]);
      expect(t.apiKeys[k.role].startsWith(k.prefix)).toBe(true);
    }
    const text = JSON.stringify(keys);
    for (const key of Object.values(t.apiKeys)) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hashApiKey(key));
    }
  });

  it("creates a working key, shown once, and audits it", async () => {
    const issued = await t.admin.apiKeys.create({ role: "kiosk", label: "kiosk store 17" });
    expect(issued).toMatchObject({
      role: "kiosk",
      label: "kiosk store 17",
      revoked: false,
      key: expect.stringMatching(/^rk_kiosk_/),
    });
    expect(await findCredential(db, issued.key)).toMatchObject({
      tenantId: t.tenantId,
      role: "kiosk",
      keyId: issued.id,
    });
    const listed = (await t.admin.apiKeys.list()).find((k) => k.id === issued.id)!;
    expect(listed).not.toHaveProperty("key");
    expect(await auditActions()).toContainEqual(["apiKeys.create", t.adminKeyId, issued.id]);
    expect(JSON.stringify(await t.admin.audit.list({ limit: 100 }))).not.toContain(issued.key);
  });

  it("revokes a key: it stops resolving, is listed as revoked, and the change is audited once", async () => {
    const issued = await t.admin.apiKeys.create({ role: "pos" });
    const revoked = await t.admin.apiKeys.revoke({ keyId: issued.id });
    expect(revoked).toMatchObject({ id: issued.id, revoked: true, revokedAt: expect.any(String) });
    expect(await findCredential(db, issued.key)).toBeNull();
    expect(await t.admin.apiKeys.revoke({ keyId: issued.id })).toEqual(revoked); // again: no change
    expect(
      (await auditActions()).filter(([action, , target]) => action === "apiKeys.revoke" && target === issued.id),
    ).toHaveLength(1);
    expect((await t.admin.apiKeys.list({ includeRevoked: false })).map((k) => k.id)).not.toContain(issued.id);
  });

  it("rotates a key: a new one with the same role and label, the old one stops now", async () => {
    const old = await t.admin.apiKeys.create({ role: "pos", label: "till 4" });
    const rotated = await t.admin.apiKeys.rotate({ keyId: old.id });
    expect(rotated).toMatchObject({
      role: "pos",
      label: "till 4",
      revoked: false,
      replaced: { id: old.id, revoked: true },
    });
    expect(await findCredential(db, old.key)).toBeNull();
    expect(await findCredential(db, rotated.key)).toMatchObject({ keyId: rotated.id, role: "pos" });
    expect(await auditActions()).toContainEqual(["apiKeys.rotate", t.adminKeyId, old.id]);
    expect((await failure(t.admin.apiKeys.rotate({ keyId: old.id }))).code).toBe("CONFLICT");
  });

  it("rotates with a grace period: the old key keeps working until it ends", async () => {
    const old = await t.admin.apiKeys.create({ role: "kiosk" });
    const rotated = await t.admin.apiKeys.rotate({ keyId: old.id, graceSeconds: 3600 });
    expect(rotated.replaced).toMatchObject({ revoked: false, revokedAt: expect.any(String) });
    expect(Date.parse(rotated.replaced.revokedAt!)).toBeGreaterThan(Date.now() + 3500_000);
    expect(await findCredential(db, old.key)).toMatchObject({ keyId: old.id, revokesAt: rotated.replaced.revokedAt });
    expect(await findCredential(db, old.key, new Date(Date.parse(rotated.replaced.revokedAt!) + 1))).toBeNull();
    expect(await new CredentialCache(db, 30_000).resolve(rotated.key)).toMatchObject({ keyId: rotated.id });
  });

  it("refuses keys of another tenant and malformed ids, naming the field", async () => {
    const other = await tenantCallers(db, "Other Key Burgers");
    const foreign = await other.admin.apiKeys.create({ role: "pos" });
    expect((await failure(t.admin.apiKeys.revoke({ keyId: foreign.id }))).code).toBe("NOT_FOUND");
    expect(await findCredential(db, foreign.key)).not.toBeNull();
    expect((await failure(t.admin.apiKeys.rotate({ keyId: "nope", graceSeconds: 10 }))).code).toBe("BAD_REQUEST");
    expect((await failure(t.admin.apiKeys.rotate({ keyId: foreign.id, graceSeconds: 8 * 24 * 3600 }))).code).toBe(
      "BAD_REQUEST",
    );
    expect((await failure(createCaller({ db, credential: null, requestId: "r" }).apiKeys.list())).code).toBe(
      "UNAUTHORIZED",
    );
  });
});
