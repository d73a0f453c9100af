import { createHash, randomBytes } from "node:crypto";
import { ApiKeyRole, defaultProgramme } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type CreatedTenant,
  type Credential,
  CredentialCache,
  classifyApiKey,
  createTenant,
  displayPrefix,
  findCredential,
  generateApiKey,
  hashApiKey,
  NewTenant,
  setTenantLanguage,
} from "../src/index.ts";

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
const freshTenant = () =>
  createTenant(db, { name: `Revocable ${Date.now().toString(36)}`, timezone: "America/New_York", currency: "USD" });
const revoke = (key: string) => db.apiKey.update({ where: { hash: hashApiKey(key) }, data: { revokedAt: new Date() } });

describe("createTenant", () => {
  it("stores the tenant and returns one key per role, prefixed by the role", async () => {
    expect(created.tenantId).toMatch(/^ten_[a-z0-9]+$/);
    expect(Object.keys(created.apiKeys).sort()).toEqual(["admin", "analyst", "app", "kiosk", "pos"]);
    for (const role of roles) expect(created.apiKeys[role]).toMatch(new RegExp(`^rk_${role}_[A-Za-z0-9]{33}$`));
    expect(new Set(Object.values(created.apiKeys)).size).toBe(5);
    expect(await db.tenant.findUniqueOrThrow({ where: { id: created.tenantId } })).toMatchObject({
      name,
      timezone: "Europe/Warsaw",
      currency: "PLN",
      language: "en",
    });
  });

  it("stores only hashes: no plaintext key anywhere in the api_keys rows", async () => {
    const rows = await db.$queryRaw<{ role: string; hash: string; prefix: string; row: string }[]>`
      SELECT k.role, k.hash, k.prefix, row_to_json(k)::text AS row FROM api_keys k WHERE k.tenant_id = ${created.tenantId}`;
    expect(rows.map((r) => r.role).sort()).toEqual(["admin", "analyst", "app", "kiosk", "pos"]);
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

  it("stores a zone as the tz database spells it, whatever case it was typed in: ClickHouse takes no other", async () => {
    const zoneOf = async (timezone: string) => {
      const { tenantId } = await createTenant(db, {
        name: `Zone ${timezone} ${Date.now().toString(36)}`,
        timezone,
        currency: "EUR",
      });
      return (await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).timezone;
    };
    expect(await zoneOf("utc")).toBe("UTC");
    expect(await zoneOf("europe/warsaw")).toBe("Europe/Warsaw");
    // A link keeps its own name, not ICU's older one (Asia/Calcutta, Europe/Kiev).
    expect(await zoneOf("asia/kolkata")).toBe("Asia/Kolkata");
    expect(await zoneOf("Europe/Kyiv")).toBe("Europe/Kyiv");
    expect(await zoneOf("etc/utc")).toBe("Etc/UTC");
  });

  it("refuses invalid input without writing anything", async () => {
    const bad = `Bad ${Date.now().toString(36)}`;
    await expect(createTenant(db, { name: bad, timezone: "Mars/Olympus_Mons", currency: "EUR" })).rejects.toThrow(
      /time zone/,
    );
    await expect(createTenant(db, { name: bad, timezone: "UTC", currency: "eur" })).rejects.toThrow(/ISO 4217/);
    expect(await db.tenant.count({ where: { name: bad } })).toBe(0);
  });
});

describe("setTenantLanguage", () => {
  it("changes the language customers are written to, and audits who changed it from what", async () => {
    const { tenantId } = await freshTenant();
    await setTenantLanguage(db, tenantId, "pl", "staff:owner");
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).language).toBe("pl");
    const audit = await db.$queryRaw<{ actor: string; action: string; details: unknown }[]>`
      SELECT actor, action, details FROM audit_log WHERE tenant_id = ${tenantId}`;
    expect(audit).toEqual([{ actor: "staff:owner", action: "tenants.setLanguage", details: { from: "en", to: "pl" } }]);
  });

  it("refuses what is not a language tag, and a tenant that does not exist, changing nothing", async () => {
    const { tenantId } = await freshTenant();
    const refused = await setTenantLanguage(db, tenantId, "Polish", "cli").catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "invalid_request", issues: [{ path: "language" }] });
    await expect(setTenantLanguage(db, "ten_missing", "pl", "cli")).rejects.toMatchObject({ code: "not_found" });
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).language).toBe("en");
  });
});

describe("NewTenant", () => {
  const valid = { name: "Burger Co", timezone: "Europe/Warsaw", currency: "EUR" };
  const pathsOf = (input: unknown) => {
    const r = NewTenant.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
  };

  it("accepts a valid tenant and trims the name", () => {
    expect(NewTenant.parse({ ...valid, name: "  Burger Co  " })).toEqual({ ...valid, language: "en" });
    expect(NewTenant.parse({ ...valid, language: "pl" }).language).toBe("pl");
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
    ["a language that is no tag", { language: "Polish" }, "language"],
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
    expect(await findCredential(db, generateApiKey("pos"))).toBeNull();
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

  it("caches unknown keys too, and a full cache drops the least recently used key", async () => {
    const other = await freshTenant();
    const cache = new CredentialCache(db, 60_000, { maxEntries: 2, negativeTtlMs: 60_000 });
    expect(await cache.resolve(generateApiKey("pos"))).toBeNull(); // well-formed, unknown
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ role: "pos" });
    expect(await cache.resolve(other.apiKeys.kiosk)).toMatchObject({ role: "kiosk" }); // evicts the unknown key, the oldest
    expect(cache.size).toBe(2);
    await revoke(other.apiKeys.pos);
    await revoke(other.apiKeys.kiosk);
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ role: "pos" }); // still cached: recently used
    expect(await cache.resolve(other.apiKeys.admin)).toMatchObject({ role: "admin" }); // evicts kiosk, now the oldest
    expect(await cache.resolve(other.apiKeys.kiosk)).toBeNull(); // looked up again: revoked
  });
});

/** A finder that counts lookups; the database behind it is real. */
const countingFinder = () => {
  const looked: string[] = [];
  return {
    looked,
    find: (key: string): Promise<Credential | null> => {
      looked.push(key);
      return findCredential(db, key);
    },
  };
};

describe("API key checksum", () => {
  it("new keys carry a checksum; a changed character, a made-up key or garbage is invalid", () => {
    const key = generateApiKey("kiosk");
    expect(classifyApiKey(key)).toBe("checksummed");
    const last = key.at(-1)!;
    expect(classifyApiKey(`${key.slice(0, -1)}${last === "a" ? "b" : "a"}`)).toBe("invalid");
    const middle = key.length - 10;
    expect(classifyApiKey(`${key.slice(0, middle)}${key[middle] === "Z" ? "Y" : "Z"}${key.slice(middle + 1)}`)).toBe(
      "invalid",
    );
    expect(classifyApiKey(`rk_kiosk_${"A".repeat(33)}`)).toBe("invalid");
    expect(classifyApiKey("")).toBe("invalid");
    expect(classifyApiKey("rk_root_whatever")).toBe("invalid");
    expect(classifyApiKey(`${key}x`)).toBe("invalid");
  });

  it("keys issued before the checksum are recognised as legacy and still resolve", async () => {
    const other = await freshTenant();
    const legacy = `rk_pos_${randomBytes(20).toString("base64url")}`; // the old format
    expect(classifyApiKey(legacy)).toBe("legacy");
    await db.apiKey.create({
      data: {
        id: `key_legacy${Date.now().toString(36)}`,
        tenantId: other.tenantId,
        role: "pos",
        label: "old pos",
        hash: hashApiKey(legacy),
        prefix: displayPrefix(legacy),
      },
    });
    const { looked, find } = countingFinder();
    const cache = new CredentialCache(db, 60_000, { find });
    expect(await cache.resolve(legacy)).toMatchObject({ tenantId: other.tenantId, role: "pos" });
    expect(looked).toEqual([legacy]);
  });

  it("a flood of checksum-invalid keys costs no lookup and no cache entry", async () => {
    const { looked, find } = countingFinder();
    const cache = new CredentialCache(db, 60_000, { find, maxEntries: 100 });
    for (let i = 0; i < 2_000; i++) {
      const forged = `rk_pos_${randomBytes(25).toString("base64url").replace(/[-_]/g, "x").slice(0, 33)}`;
      if (classifyApiKey(forged) !== "invalid") continue; // a random 1 in 2^32 passes the checksum
      expect(await cache.resolve(forged)).toBeNull();
    }
    expect(looked).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it("well-formed unknown keys are looked up once each, remembered briefly, and never grow the cache past its bound", async () => {
    const { looked, find } = countingFinder();
    const cache = new CredentialCache(db, 60_000, { find, maxEntries: 50, negativeTtlMs: 60_000 });
    const unknown = Array.from({ length: 200 }, () => generateApiKey("pos"));
    for (const key of unknown) expect(await cache.resolve(key)).toBeNull();
    expect(looked).toHaveLength(200);
    expect(cache.size).toBe(50);
    // The most recent ones are remembered as unknown: no second lookup.
    for (const key of unknown.slice(-50)) expect(await cache.resolve(key)).toBeNull();
    expect(looked).toHaveLength(200);
  });

  it("concurrent requests with one key share one lookup", async () => {
    const other = await freshTenant();
    const { looked, find } = countingFinder();
    const cache = new CredentialCache(db, 60_000, { find });
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.resolve(other.apiKeys.pos)));
    expect(results.every((r) => r?.role === "pos")).toBe(true);
    expect(looked).toHaveLength(1);
  });

  it("a key revoked with a grace period works until the grace ends, cached or not", async () => {
    const other = await freshTenant();
    const cache = new CredentialCache(db, 600_000);
    const graceEnds = new Date(Date.now() + 60_000);
    await db.apiKey.update({ where: { hash: hashApiKey(other.apiKeys.pos) }, data: { revokedAt: graceEnds } });
    expect(await cache.resolve(other.apiKeys.pos)).toMatchObject({ role: "pos", revokesAt: graceEnds.toISOString() });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(graceEnds.getTime() + 1);
      expect(await cache.resolve(other.apiKeys.pos)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("records when a key was last used", async () => {
    const other = await freshTenant();
    expect(await findCredential(db, other.apiKeys.kiosk)).not.toBeNull();
    await expect
      .poll(
        async () =>
          (await db.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(other.apiKeys.kiosk) } })).lastUsedAt,
      )
      .not.toBeNull();
  });
});
