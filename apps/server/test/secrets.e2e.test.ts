import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBanner } from "../src/banner.ts";
import { startIsolatedTestSystem } from "./system-fixture.ts";

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("files that hold keys or URLs", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "regulars-secrets-"));
  let system: Awaited<ReturnType<typeof startIsolatedTestSystem>>;

  beforeAll(async () => {
    // Left by an older version, readable by everyone.
    writeFileSync(join(dataDir, "postgres.json"), "{}", { mode: 0o644 });
    writeFileSync(join(dataDir, "server.json"), "{}", { mode: 0o664 });
    system = await startIsolatedTestSystem({ REGULARS_DATA_DIR: dataDir, REGULARS_DEMO: "on" });
  });
  afterAll(async () => {
    await system?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("are written readable by their owner only, and older looser ones are tightened", () => {
    expect(system.demo).not.toBeNull();
    for (const name of ["server.json", "demo-tenant.json", "postgres.json"])
      expect(modeOf(join(dataDir, name)), name).toBe(0o600);
  });

  it("server.json finds the running system without holding a key", () => {
    const text = readFileSync(join(dataDir, "server.json"), "utf8");
    for (const key of Object.values(system.demo!.apiKeys)) expect(text).not.toContain(key);
    expect(JSON.parse(text)).toMatchObject({
      pid: process.pid,
      gatewayUrl: system.gatewayUrl,
      namespace: system.namespace,
      demo: { tenantId: system.demo!.tenantId, keysFile: join(dataDir, "demo-tenant.json") },
    });
    // The keys file it names has them.
    expect(JSON.parse(readFileSync(join(dataDir, "demo-tenant.json"), "utf8")).apiKeys).toEqual(system.demo!.apiKeys);
  });
});

describe("the start banner", () => {
  const base = { gatewayUrl: "http://127.0.0.1:4000", apiUrl: null, workersUrl: null, demo: null, demoKeysFile: null };

  it("masks passwords and tokens in every URL, NATS lists included", () => {
    const text = startBanner({
      ...base,
      databaseUrl: "postgresql://app:pg-secret@db.internal:5432/regulars",
      natsUrl: "nats://nats-user:nats-secret@n1:4222,nats://s3cr3t-token@n2:4222",
    });
    for (const secret of ["pg-secret", "nats-secret", "s3cr3t-token"]) expect(text).not.toContain(secret);
    expect(text).toContain("nats://nats-user:***@n1:4222,nats://***@n2:4222");
    expect(text).toContain("postgresql://app:***@db.internal:5432/regulars");
  });

  it("tells a newcomer where the apps are, how to sign in and a kiosk link set up with the demo key", () => {
    const demo = {
      tenantId: "tenant_demo",
      apiKeys: { admin: "rk_admin", pos: "rk_pos", kiosk: "rk_kiosk", analyst: "rk_analyst", app: "rk_app" },
      staff: { email: "owner@demo.regulars.test", password: "printed-once-password" },
    };
    const text = startBanner({
      ...base,
      apiUrl: "http://127.0.0.1:4001",
      databaseUrl: "postgresql://127.0.0.1:5432/regulars",
      natsUrl: "nats://127.0.0.1:4222",
      demo,
    });
    expect(text).toContain("admin app          http://127.0.0.1:4001/app/");
    expect(text).toContain("as owner@demo.regulars.test, password printed-once-password");
    expect(text).toContain("http://127.0.0.1:4001/kiosk/#key=rk_kiosk&location=store-001");
  });
});
