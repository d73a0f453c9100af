import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCampaign, generateCampaignCodes } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// `coupons export --file` writes a scratch file and renames it into place: what --file names must be told apart from
// what is replaced, or a link is replaced by a file and standard output by a scratch file under /dev.

let db: Db;
let tenantId: string;
let dir: string;

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await testTenant(db, "CLI Export Destination Burgers"));
  dir = await mkdtemp(join(tmpdir(), "regulars-cli-coupons-destination-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.$disconnect();
});

// Each test starts the CLI as a process: seconds on a busy machine.
const slow = { timeout: 240_000 };

async function campaignWithCodes(name: string) {
  const c = await createCampaign(
    db,
    tenantId,
    { name, benefit: { kind: "fixed_off", amount: 250 }, codes: { kind: "unique", pattern: "DEST-XXXXXXXX" } },
    "test",
  );
  await generateCampaignCodes(db, tenantId, c.id, 40, "test");
  const codes = await db.couponCode.findMany({ where: { tenantId, campaignId: c.id }, select: { code: true } });
  return { campaignId: c.id, codes: codes.map((row) => row.code).sort() };
}

const exportedCodes = (csv: string) => {
  const [header, ...rows] = csv.trimEnd().split("\n");
  expect(header).toBe("code,uses,max_uses,created_at");
  return rows.map((row) => row.split(",")[0]).sort();
};

it("replaces a linked --file's target and keeps the link, as `ln -s` for a latest export", slow, async () => {
  const { campaignId, codes } = await campaignWithCodes("Linked");
  const folder = await mkdtemp(join(dir, "linked-"));
  await mkdir(join(folder, "weeks"));
  const real = join(folder, "weeks", "real.csv");
  await writeFile(real, `code,uses,max_uses,created_at\nLASTWEEK-0001,0,1,${new Date().toISOString()}\n`);
  const link = join(folder, "latest.csv");
  await symlink("weeks/real.csv", link);

  const run = await runRegularsCli(["coupons", "export", "--campaign", campaignId, "--file", link], {
    DATABASE_URL: testDatabaseUrl(),
  });

  expect(run.code, run.stderr).toBe(0);
  expect((await lstat(link)).isSymbolicLink()).toBe(true);
  expect(await readlink(link)).toBe("weeks/real.csv");
  expect(exportedCodes(await readFile(real, "utf8"))).toEqual(codes);
  // The scratch file went beside the real file and was renamed onto it: nothing else is left in either folder.
  expect((await readdir(folder)).sort()).toEqual(["latest.csv", "weeks"]);
  expect(await readdir(join(folder, "weeks"))).toEqual(["real.csv"]);
});

it(
  "writes --file /proc/self/fd/1 to where standard output is redirected, no scratch file beside it",
  slow,
  async () => {
    const { campaignId, codes } = await campaignWithCodes("Redirected");
    const captured = join(dir, "redirected-stdout.csv");
    // `regulars ... --file /proc/self/fd/1 > captured` (as /dev/stdout, which links there; this path is used because a
    // regressed export would put its scratch file beside it, which /proc refuses, where under /dev it could replace the
    // machine's /dev/stdout link): the CLI's own standard output made a file before it starts (its
    // lowest free descriptor once 1 is closed), as the shell's redirection does; the runner's pipe would be a FIFO.
    const redirect = join(dir, "redirect-stdout.mjs");
    await writeFile(
      redirect,
      `import { closeSync, openSync } from "node:fs";
closeSync(1);
if (openSync(${JSON.stringify(captured)}, "w") !== 1) throw new Error("standard output not redirected");
`,
    );

    const run = await runRegularsCli(["coupons", "export", "--campaign", campaignId, "--file", "/proc/self/fd/1"], {
      DATABASE_URL: testDatabaseUrl(),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${redirect}`.trim(),
    });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`40 codes of ${campaignId} exported to /proc/self/fd/1`);
    expect(exportedCodes(await readFile(captured, "utf8"))).toEqual(codes);
  },
);
