import { createHash } from "node:crypto";
import { ApiKeyRole, defaultProgramme } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CreatedTenant, createTenant, CredentialCache, displayPrefix, findCredential, hashApiKey, NewTenant } from "../src/index.ts";

let db: Db;
let created: CreatedTenant;
const name = `Tenancy Burgers ${Date.now().toString(36)}`;

beforeAll(async () => {
  db = testDb();
  created = await createTenant(db, { name, timezone: "Europe/Warsaw", currency: "PLN" }, "tenancy-test");
});
afterAll(async () => {
  await db?.$disconnect();
});

const roles = ApiKeyRole.options;

/** A fresh tenant for tests that revoke keys, so the shared one stays usable. */
const freshTenant = () => createTenant(db, { name: `Revocable ${Date.now().toString(36)}`, timezone: "America/New_York", currency: "USD" });
const revoke = (key: string) => db.apiKey.update({ where: { hash: hashApiKey(key) }, data: { revokedAt: new Date() } });

describe("createTenant", () => {
  it("stores the tenant and returns one key per role, prefixed by the role", async () => {
    expect(created.tenantId).toMatch(/^ten_[a-z0-9]+$/);
    expect(Object.keys(created.apiKeys).sort()).toEqual(["admin", "analyst", "kiosk", "pos"]);
    for (const role of roles) expect(created.apiKeys[role]).toMatch(new RegExp(`^rk_${role}_[A-Za-z0-9_-]{27}$`));
    expect(new Set(Object.values(created.apiKeys)).size).toBe(4);
    expect(await db.tenant.findUniqueOrThrow({ where: { id: created.tenantId } })).toMatchObject({ name, timezone: "Europe/Warsaw", currency: "PLN" });
  });

  it("stores only hashes: no plaintext key anywhere in the api_keys rows", async () => {
    const rows = await db.$queryRaw<{ role: string; hash: string; prefix: string; row: string }[]>`
      SELECT k.role, k.hash, k.prefix, row_to_json(k)::text AS row FROM api_keys k WHERE k.tenant_id = ${created.tenantId}`;
    expect(rows.map((r) => r.role).sort()).toEqual(["admin", "analyst", "kiosk", "pos"]);
    for (const r of rows) {
      const key = created.apiKeys[r.role as ApiKeyRole];
      expect(r.hash).toBe(createHash("sha256").update(key).digest("hex"));
      expect(r.prefix).toBe(displayPrefix(key));
      // The display prefix identifies the key without revealing the random part.
      expect(key.startsWith(r.prefix)).toBe(true);
      expect(r.prefix.length).toBeLessThanOrEqual(`rk_${r.role}_`.length + 4);
      for (const plain of Object.values(created.apiKeys)) {
        expect(r.row).not.toContain(plain);
        expect(r.row).not.toContain(plain.slice(r.prefix.length)); // not even the secret part
      }
    }
  });

  it("creates programme version 1 with the default base rate", async () => {
    const versions = await db.programmeVersion.findMany({ where: { tenantId: created.tenantId } });
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, config: defaultProgramme, createdBy: "tenancy-test" });
    expect(versions[0]!.effectiveFrom.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("refuses invalid input without writing anything", async () => {
    const bad = `Bad ${Date.now().toString(36)}`;
    await expect(createTenant(db, { name: bad, timezone: "Mars/Olympus_Mons", currency: "EUR" })).rejects.toThrow(/time zone/);
    await expect(createTenant(db, { name: bad, timezone: "UTC", currency: "eur" })).rejects.toThrow(/ISO 4217/);
    expect(await db.tenant.count({ where: { name: bad } })).toBe(0);
  });
});

describe("NewTenant", () => {
  const valid = { name: "Burger Co", timezone: "Europe/Warsaw", currency: "EUR" };
  const pathsOf = (input: unknown) => {
    const r = NewTenant.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
  };

  it("accepts a valid tenant and trims the name", () => {
    expect(NewTenant.parse({ ...valid, name: "  Burger Co  " })).toEqual(valid);
    expect(NewTenant.safeParse({ ...valid, timezone: "UTC" }).success).toBe(true);
    expect(NewTenant.safeParse({ ...valid, timezone: "America/Argentina/Buenos_Aires" }).success).toBe(true);
  });

  it.each([
    ["unknown time zone", { timezone: "Europe/Atlantis" }, "timezone"],
    ["offset instead of a zone name", { timezone: "GMT+25" }, "timezone"],
    ["empty time zone", { timezone: "" }, "timezone"],
    ["lower-case currency", { currency: "eur" }, "currency"],
    ["four-letter currency", { currency: "EURO" }, "currency"],
    ["empty name", { name: "" }, "name"],
    ["blank name", { name: "   " }, "name"],
    ["name too long", { name: "x".repeat(121) }, "name"],
  ])("refuses %s", (_label, patch, path) => {
    expect(pathsOf({ ...valid, ...patch })).toEqual([path]);
  });
});

describe("findCredential", () => {
  it("resolves each key to its tenant and role", async () => {
    for (const role of roles) {
      expect(await findCredential(db, created.apiKeys[role])).toEqual({
        keyId: expect.stringMatching(/^key_/),
        tenantId: created.tenantId,
        role,
        tenant: { name, timezone: "Europe/Warsaw", currency: "PLN" },
      });
    }
  });

  it("returns null for unknown keys", async () => {
    expect(await findCredential(db, "rk_pos_not-a-real-key")).toBeNull();
    expect(await findCredential(db, "")).toBeNull();
    expect(await findCredential(db, `${created.apiKeys.pos}x`)).toBeNull();
    expect(await findCredential(db, created.apiKeys.pos.toUpperCase())).toBeNull();
  });

  it("returns null for a revoked key and keeps the tenant's other keys working", async () => {
    const other = await freshTenant();
    await revoke(other.apiKeys.kiosk);
    expect(await findCredential(db, other.apiKeys.kiosk)).toBeNull();
    expect(await findCredential(db, other.apiKeys.pos)).toMatchObject({ tenantId: other.tenantId, role: "pos" });
  });

  it("keeps tenants apart", async () => {
    const other = await freshTenant();
    expect((await findCredential(db, other.apiKeys.admin))?.tenantId).toBe(other.tenantId);
    expect((await findCredential(db, created.apiKeys.admin))?.tenantId).toBe(created.tenantId);
  });
});

describe("CredentialCache", () => {
  it("keeps serving a cached key after it is revoked, until the TTL passes", async () => {
    const other = await freshTenant();
    const cache = new CredentialCache(db, 60_000);
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ tenantId: other.tenantId, role: "pos" });
    await revoke(other.apiKeys.pos);
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ tenantId: other.tenantId, role: "pos" });
    // A cache built afterwards, or one whose entry expired, sees the revocation.
    expect(await new CredentialCache(db, 60_000).resolve(other.apiKeys.pos)).toBeNull();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 60_001);
      expect(await cache.resolve(other.apiKeys.pos)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("with ttl 0 every lookup goes to the database", async () => {
    const other = await freshTenant();
    const cache = new CredentialCache(db, 0);
    expect(await cache.resolve(other.apiKeys.analyst)).toMatchObject({ tenantId: other.tenantId, role: "analyst" });
    await revoke(other.apiKeys.analyst);
    expect(await cache.resolve(other.apiKeys.analyst)).toBeNull();
  });

  it("caches unknown keys too, and a full cache starts over rather than growing", async () => {
    const other = await freshTenant();
    const cache = new CredentialCache(db, 60_000, 2);
    expect(await cache.resolve("rk_pos_unknown")).toBeNull();
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ role: "pos" });
    await revoke(other.apiKeys.pos);
    // The third distinct key clears the full cache, so the revoked key is looked up again.
    expect(await cache.resolve(other.apiKeys.kiosk)).toMatchObject({ role: "kiosk" });
    expect(await cache.resolve(other.apiKeys.pos)).toBeNull();
  });
});
