import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "@regulars/db";
import { signIn } from "@regulars/staff";
import { createDemoOwner, demoOwnerEmail } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoKeysFile, ensureDemoTenant } from "../src/demo.ts";

// The demo tenant's owner: the only test on the shared database that makes one (the address is unique).

let db: Db;
let dataDir: string;
beforeAll(async () => {
  db = testDb();
  dataDir = await mkdtemp(join(tmpdir(), "regulars-demo-owner-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await db?.$disconnect();
});

describe("the demo owner", () => {
  it("is added, and saved with its password, when an older data folder's demo tenant has none", async () => {
    const older = await testTenant(db, "Demo Burgers");
    await writeFile(demoKeysFile(dataDir), JSON.stringify(older));
    const demo = await ensureDemoTenant(db, dataDir);
    expect(demo?.staff).toEqual({ email: demoOwnerEmail, password: expect.stringMatching(/^[\w-]{24}$/) });
    expect(JSON.parse(await readFile(demoKeysFile(dataDir), "utf8")).staff).toEqual(demo!.staff);
    const { session } = await signIn(db, demo!.staff!, { clientIp: "192.0.2.99" });
    expect(session).toMatchObject({ staff: { name: "Demo Owner", role: "owner" }, tenant: { id: older.tenantId } });
    // The next start finds it saved and changes nothing.
    expect((await ensureDemoTenant(db, dataDir))?.staff).toEqual(demo!.staff);

    // A second demo tenant in the same database gets no owner: the address is taken.
    const second = await testTenant(db, "Demo Burgers");
    expect(await createDemoOwner(db, second.tenantId)).toBeNull();
  });
});
