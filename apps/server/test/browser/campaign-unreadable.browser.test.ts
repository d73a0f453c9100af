import { newId } from "@regulars/ids";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// A campaign whose stored definition this release cannot read (a newer release's, mid-deploy): the API refuses to
// open it but still pauses and archives it, so its detail page must say why and still offer those two moves.

let b: BrowserSystem;
let page: Page;
let id: string;

const statusOf = async () => (await b.system.db.campaign.findUniqueOrThrow({ where: { id } })).status;

beforeAll(async () => {
  b = await startBrowserSystem();
  id = newId("campaign");
  const nextRunAt = new Date(Date.now() + 3_600_000);
  const fromNewerRelease = {
    schemaVersion: 2,
    name: "From the next release",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "daily", time: "18:00" } },
    actions: [{ type: "award_points", points: 5, reason: "Newer" }],
  };
  await b.system.db.$executeRaw`
    INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, next_run_at, created_by)
    VALUES (${id}, ${b.tenant.tenantId}, 'From elsewhere', 'active', 'broadcast', 1, ${nextRunAt}, 'test')`;
  await b.system.db.$executeRaw`
    INSERT INTO campaign_versions (tenant_id, campaign_id, version, definition, created_by)
    VALUES (${b.tenant.tenantId}, ${id}, 1, ${JSON.stringify(fromNewerRelease)}::jsonb, 'test')`;
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

describe("the detail page of a campaign whose definition cannot be read", () => {
  it("says why and still pauses it, then archives it after asking", { timeout: 120_000 }, async () => {
    await page.goto(`/app/campaigns/${id}`);
    await page.getByRole("heading", { level: 1, name: "From elsewhere" }).waitFor();
    await page.getByText(/newer release.*it can still be paused or archived/).waitFor();
    const about = page.locator("section", { hasText: "About this campaign" });
    await expect.poll(() => about.textContent()).toMatch(/Active/);
    expect(await page.getByRole("button", { name: "Resume" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(0);
    await screenshot(page, "admin", "campaign-unreadable");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor({ state: "detached" });
    expect(await statusOf()).toBe("paused");
    await expect.poll(() => about.textContent()).toMatch(/Paused/);
    // Resuming reads the definition, which the API refuses: it is not offered.
    expect(await page.getByRole("button", { name: "Resume" }).count()).toBe(0);

    await page.getByRole("button", { name: "Archive" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Archive this campaign?" });
    await dialog.getByRole("button", { name: "Archive" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Archive" }).waitFor({ state: "detached" });
    expect(await statusOf()).toBe("archived");
    await expect.poll(() => about.textContent()).toMatch(/Archived/);
    await page.getByText(/newer release/).waitFor();
  });
});
