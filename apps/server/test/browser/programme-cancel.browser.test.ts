import { changeProgramme, edits, listVersions, programmeAt } from "@regulars/programme";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The programme page while a version is scheduled for the day after tomorrow: the marketer changes their mind,
// cancels it from the notice that names it (after confirming), and the version in force stays in force then.

let b: BrowserSystem;
let page: Page;
const scheduledFrom = new Date(Date.now() + 2 * 86_400_000);
const programmeOn = (at: Date) => programmeAt(b.system.db, b.tenant.tenantId, at);

beforeAll(async () => {
  b = await startBrowserSystem();
  await changeProgramme(b.system.db, {
    tenantId: b.tenant.tenantId,
    actor: "test",
    action: "programme.test",
    target: null,
    edit: (c) => edits.setMilestones(c, [100, 250]),
    effectiveFrom: scheduledFrom,
  });
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

describe("cancelling the scheduled programme version", () => {
  it("asks first, then cancels it: the notice goes and the version in force stays", { timeout: 120_000 }, async () => {
    const inForce = (await programmeOn(new Date())).version;
    const scheduled = (await programmeOn(scheduledFrom)).version;
    expect(scheduled).toBeGreaterThan(inForce);
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Programme" }).click();
    const notice = page.getByRole("region", { name: `Version ${scheduled} is scheduled to take effect on` });
    await notice.waitFor();

    // Changing one's mind in the dialog keeps it.
    await notice.getByRole("button", { name: `Cancel version ${scheduled}` }).click();
    const dialog = page.getByRole("alertdialog", { name: `Cancel the scheduled version ${scheduled}?` });
    expect(await dialog.textContent()).toContain(`version ${inForce} stays in force`);
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await programmeOn(scheduledFrom)).version).toBe(scheduled);

    await notice.getByRole("button", { name: `Cancel version ${scheduled}` }).click();
    await dialog.getByRole("button", { name: `Cancel version ${scheduled}` }).click();
    await page.getByText(`Cancelled: version ${scheduled} will not take effect on`).waitFor();
    await notice.waitFor({ state: "detached" });
    expect((await programmeOn(scheduledFrom)).version).toBe(inForce);
    expect((await listVersions(b.system.db, b.tenant.tenantId)).map((v) => v.version)).not.toContain(scheduled);
    await expectAccessible(page);
  });
});
