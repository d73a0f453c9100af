import { MultiplierRule } from "@regulars/contracts";
import { changeProgramme, edits, programmeAt } from "@regulars/programme";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The programme page while a later version is scheduled: a wrong 10x rule is in force and carried into the version
// scheduled for the day after tomorrow. The marketer is told which version is scheduled and when, switches the rule
// off in both at once, is stopped from replacing the scheduled version's own milestones with the ones in force, then
// changes only the scheduled version.

let b: BrowserSystem;
let page: Page;
const wrongRule = MultiplierRule.parse({
  id: "wrong-10x",
  name: "Ten times every day",
  type: "multiplier",
  factor: 10,
});
const scheduledFrom = new Date(Date.now() + 2 * 86_400_000);

const change = (edit: edits.ProgrammeEdit, effectiveFrom?: Date) =>
  changeProgramme(b.system.db, {
    tenantId: b.tenant.tenantId,
    actor: "test",
    action: "programme.test",
    target: null,
    edit,
    effectiveFrom,
  });
const programmeOn = (at: Date) => programmeAt(b.system.db, b.tenant.tenantId, at);
const scheduledVersion = async () => (await programmeOn(scheduledFrom)).version;
/** The version scheduled when the urgent fix was made to it and to the version in force. */
let fixedScheduled: number;

beforeAll(async () => {
  b = await startBrowserSystem();
  await change((c) => edits.upsertRule(c, wrongRule));
  await change((c) => edits.setMilestones(c, [100, 250]), scheduledFrom);
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

describe("programme page with a scheduled version", () => {
  it("says which version is scheduled and when, and a fix applies now and in it", { timeout: 120_000 }, async () => {
    const inForce = (await programmeOn(new Date())).version;
    const scheduled = await scheduledVersion();
    fixedScheduled = scheduled;
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Programme" }).click();
    const notice = page.getByRole("region", { name: `Version ${scheduled} is scheduled to take effect on` });
    await notice.waitFor();
    expect(await notice.textContent()).toContain("(Europe/Warsaw)");
    expect(await notice.textContent()).toContain(`Version ${inForce} stays in force until then.`);
    const both = notice.getByRole("radio", { name: new RegExp(`^Version ${inForce} in force now, and the scheduled`) });
    expect(await both.isChecked()).toBe(true);
    await expectAccessible(page);
    await screenshot(page, "admin", "programme-scheduled");

    const rules = page.getByRole("table", { name: /earning rules/i });
    const row = rules.getByRole("row").filter({ has: page.getByRole("cell", { name: "wrong-10x", exact: true }) });
    await row.getByRole("button", { name: "Disable rule wrong-10x" }).click();
    await page
      .getByRole("alertdialog", { name: "Disable rule wrong-10x?" })
      .getByRole("button", { name: "Disable" })
      .click();
    await page.getByText(`Saved: version ${scheduled + 1} is in force, and the scheduled version from`).waitFor();
    await row.getByText("Disabled", { exact: true }).waitFor();

    const now = await programmeOn(new Date());
    const later = await programmeOn(scheduledFrom);
    expect(now.version).toBe(scheduled + 1);
    expect(later.version).toBe(scheduled + 2);
    expect(now.config.rules.find((r) => r.id === "wrong-10x")?.enabled).toBe(false);
    expect(later.config.rules.find((r) => r.id === "wrong-10x")?.enabled).toBe(false);
    // The scheduled version keeps what it was scheduled for.
    expect(later.config.milestones).toEqual([100, 250]);
    expect(now.config.milestones).not.toEqual([100, 250]);
  });

  it("refuses a change to both where the scheduled version differs, and offers to edit only it", {
    timeout: 120_000,
  }, async () => {
    const scheduled = await scheduledVersion();
    await page.getByRole("tab", { name: "Milestones", exact: true }).click();
    const milestones = page.getByLabel("Milestones (points)");
    await milestones.fill("50");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const refusal = page.getByRole("alert").filter({ hasText: `version ${scheduled}, scheduled from` });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("has milestones of its own");
    expect(await refusal.textContent()).toContain("Make the change to the scheduled version only");
    expect((await programmeOn(scheduledFrom)).version).toBe(scheduled);
    expect((await programmeOn(scheduledFrom)).config.milestones).toEqual([100, 250]);

    await page.getByRole("button", { name: "Edit the scheduled version only" }).click();
    const notice = page.getByRole("region", { name: `Version ${scheduled} is scheduled to take effect on` });
    const onlyScheduled = notice.getByRole("radio", { name: new RegExp(`^Only the scheduled version ${scheduled}`) });
    await expect.poll(() => onlyScheduled.isChecked()).toBe(true);
    await expect.poll(() => page.getByLabel("Milestones (points)").inputValue()).toBe("100, 250");
  });

  it("a change to only the scheduled version shows and changes that version, from its time", {
    timeout: 120_000,
  }, async () => {
    const nowBefore = await programmeOn(new Date());
    const scheduled = await scheduledVersion();
    const notice = page.getByRole("region", { name: `Version ${scheduled} is scheduled to take effect on` });
    await notice.getByRole("radio", { name: new RegExp(`^Only the scheduled version ${scheduled}`) }).check();
    await page.getByRole("tab", { name: "Milestones", exact: true }).click();
    const milestones = page.getByLabel("Milestones (points)");
    await expect.poll(() => milestones.inputValue()).toBe("100, 250");
    await milestones.fill("100, 300");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(`Saved: version ${scheduled + 1} takes effect on`).waitFor();
    // The page stays on the tab the user saved from, now showing the saved version.
    await expect.poll(() => page.getByLabel("Milestones (points)").inputValue()).toBe("100, 300");
    await expectAccessible(page);
    await screenshot(page, "admin", "programme-scheduled-only");

    expect((await programmeOn(scheduledFrom)).config.milestones).toEqual([100, 300]);
    expect(await programmeOn(new Date())).toMatchObject({ version: nowBefore.version, config: nowBefore.config });
  });

  it("a later time to take effect, on the tenant's clock, applies from then and in the scheduled version", {
    timeout: 120_000,
  }, async () => {
    const nowBefore = await programmeOn(new Date());
    const latest = await scheduledVersion();
    const notice = page.getByRole("region", { name: `Version ${latest} is scheduled to take effect on` });
    await notice.getByRole("radio", { name: /^Version \d+ in force now, and the scheduled/ }).check();
    // Tomorrow, to the minute, as a Warsaw wall clock: the field is the tenant's time, never the browser's.
    const from = new Date(Date.now() + 86_400_000);
    from.setUTCSeconds(0, 0);
    const warsaw = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Warsaw",
      dateStyle: "short",
      timeStyle: "short",
    });
    await page.getByLabel("Changes take effect (Europe/Warsaw time)").fill(warsaw.format(from).replace(" ", "T"));
    await page.getByRole("tab", { name: "Earning rules", exact: true }).click();
    const pending = page.locator("form").filter({ has: page.getByRole("heading", { name: "Pending points" }) });
    await pending.getByLabel("Days before earned points can be spent").fill("3");
    await pending.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(`Saved: version ${latest + 1} takes effect on`).waitFor();

    expect(await programmeOn(new Date())).toMatchObject({ version: nowBefore.version, config: nowBefore.config });
    expect(await programmeOn(from)).toMatchObject({
      version: latest + 1,
      effectiveFrom: from.toISOString(),
      config: { pendingDays: 3 },
    });
    expect((await programmeOn(scheduledFrom)).config).toMatchObject({ pendingDays: 3, milestones: [100, 300] });
  });

  it("history compares the version the fix made from the scheduled one with that version", {
    timeout: 120_000,
  }, async () => {
    const fromScheduled = fixedScheduled + 2;
    await page.getByRole("tab", { name: "Version history", exact: true }).click();
    await page.getByRole("button", { name: `Changes in version ${fromScheduled}`, exact: true }).click();
    await page.getByText(`Version ${fromScheduled} against version ${fixedScheduled}`, { exact: true }).waitFor();
    const changes = page.getByRole("list", { name: `Settings changed in version ${fromScheduled}` });
    await changes.waitFor();
    // Only the rule switched off: the scheduled milestones were there before, not added by the fix.
    expect(await changes.textContent()).toContain("wrong-10x");
    expect(await changes.textContent()).not.toContain("milestones");
  });
});
