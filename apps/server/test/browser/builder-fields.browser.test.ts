import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushTemplate } from "../campaign-fixture.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// How often a campaign may reach one customer, chosen in the builder and saved as the definition's limits and
// quiet hours; the segment builder's live count saying when it is an estimate, its lists typed as tags, and a
// window of any number of days.

let b: BrowserSystem;
let page: Page;

beforeAll(async () => {
  b = await startBrowserSystem({ RATE_LIMIT_ADMIN: "off" });
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 240_000);

afterAll(async () => {
  await b?.dispose();
});

const perCustomer = () => page.getByLabel("How often one customer can get this campaign");
const minGap = () => page.getByLabel("At least this many hours apart");
/** The first frequency cap's row; the steps have a "Channel" of their own. */
const cap = () => page.getByRole("listitem").filter({ has: page.getByLabel("In any") });

describe("the campaign builder's limits", () => {
  it("suggests limits per trigger, and saves the rule, a frequency cap and quiet hours set in the form", {
    timeout: 180_000,
  }, async () => {
    const template = await pushTemplate(b.system, b.tenant, `Happy birthday ${Date.now()}`, "A treat on us");
    await page.goto("/app/campaigns/new");
    await page.getByRole("heading", { level: 1, name: "New campaign" }).waitFor();
    const name = `Birthday treat ${Date.now()}`;
    await page.getByLabel("Name").fill(name);

    // Untouched, the rule follows the trigger: a welcome once, a birthday every year.
    await page.getByLabel("Trigger").selectOption("registered");
    await expect.poll(() => perCustomer().inputValue()).toBe("once");
    await page.getByLabel("Trigger").selectOption("birthday");
    await expect.poll(() => perCustomer().inputValue()).toBe("repeatable");
    expect(await minGap().inputValue()).toBe("0");

    // Chosen, it stays when the trigger changes.
    await minGap().fill("720");
    await page.getByLabel("Trigger").selectOption("inactive");
    await page.getByLabel("Trigger").selectOption("birthday");
    expect(await perCustomer().inputValue()).toBe("repeatable");
    expect(await minGap().inputValue()).toBe("720");

    await page.getByRole("button", { name: "Add a cap" }).click();
    // Added as one message a day: the window is in days, so a week is typed as 7.
    expect(await cap().getByLabel("Unit").inputValue()).toBe("days");
    await cap().getByLabel("At most (messages)").fill("2");
    await cap().getByLabel("Channel").selectOption("push");
    await cap().getByLabel("In any").fill("7");
    await page.getByLabel("Keep quiet at night").check();
    await page.getByLabel("Quiet from").fill("22:00");
    await page.getByLabel("Quiet until").fill("22:00");
    await page.getByRole("alert").filter({ hasText: "Choose two different times" }).waitFor();
    await page.getByLabel("Quiet until").fill("07:30");
    await page.getByLabel("Template", { exact: true }).selectOption({ label: template.name });

    await page.getByRole("heading", { level: 2, name: "Limits" }).scrollIntoViewIfNeeded();
    await screenshot(page, "admin", "campaign-builder-limits");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Save as draft" }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const saved = await b.system.client(b.tenant.apiKeys.admin).campaigns.get.query({ id });
    expect(saved.definition.limits).toEqual({
      perCustomer: { mode: "repeatable", minGapHours: 720 },
      frequencyCaps: [{ channel: "push", max: 2, windowHours: 168 }],
    });
    expect(saved.definition.delivery.quietHours).toEqual({ start: "22:00", end: "07:30" });

    // A new version starts from what was saved.
    await page.goto(`/app/campaigns/${id}/edit`);
    await page.getByRole("heading", { level: 1, name: `Edit ${name}` }).waitFor();
    expect(await perCustomer().inputValue()).toBe("repeatable");
    expect(await minGap().inputValue()).toBe("720");
    expect(await cap().getByLabel("At most (messages)").inputValue()).toBe("2");
    expect(await cap().getByLabel("Channel").inputValue()).toBe("push");
    expect(await cap().getByLabel("In any").inputValue()).toBe("7");
    expect(await cap().getByLabel("Unit").inputValue()).toBe("days");
    expect(await page.getByLabel("Quiet from").inputValue()).toBe("22:00");
    expect(await page.getByLabel("Quiet until").inputValue()).toBe("07:30");
  });

  it("welcomes the new customers chosen: till enrolments instead of app sign-ups", { timeout: 60_000 }, async () => {
    const template = await pushTemplate(b.system, b.tenant, `Welcome ${Date.now()}`, "Fries on us");
    await page.goto("/app/campaigns/new");
    const name = `Till welcome ${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Trigger").selectOption("registered");
    expect(await page.getByLabel("App sign-ups").isChecked()).toBe(true);
    await page.getByLabel("Till enrolments").check();
    await page.getByLabel("App sign-ups").uncheck();
    await page.getByLabel("Template", { exact: true }).selectOption({ label: template.name });
    await page.getByRole("button", { name: "Save as draft" }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const saved = await b.system.client(b.tenant.apiKeys.admin).campaigns.get.query({ id });
    expect(saved.definition.trigger).toEqual({ type: "registered", via: ["till"] });
  });

  it("keeps a cap the schema refuses from being sent", { timeout: 60_000 }, async () => {
    await page.goto("/app/campaigns/new");
    await page.getByLabel("Name").fill("Too tight");
    await page.getByRole("button", { name: "Add a cap" }).click();
    await cap().getByLabel("In any").fill("0");
    await page.getByRole("button", { name: "Save as draft" }).click();
    expect(
      await cap()
        .getByLabel("In any")
        .evaluate((el: HTMLInputElement) => el.validity.valid),
    ).toBe(false);
    await page.getByRole("heading", { level: 1, name: "New campaign" }).waitFor();
  });
});

describe("the segment builder's live count", () => {
  it("marks the count of a query returning more ids than a preview checks as an estimate", {
    timeout: 120_000,
  }, async () => {
    await page.goto("/app/segments/new");
    await page.getByRole("radio", { name: "SQL" }).check();
    await page
      .getByLabel("SQL query")
      .fill("SELECT concat('cus_nobody_', toString(arrayJoin(range(20000)))) AS customer_id");
    await expect
      .poll(() => page.getByTestId("live-count").textContent(), { timeout: 60_000 })
      .toBe("≈ 20,000 matching customers (estimate)");
    await expectAccessible(page);

    await page.getByLabel("SQL query").fill("SELECT 'cus_nobody' AS customer_id");
    await expect
      .poll(() => page.getByTestId("live-count").textContent(), { timeout: 60_000 })
      .toBe("0 matching customers");
  });

  it("takes a condition's list as tags, typed, pasted with commas and removed", { timeout: 60_000 }, async () => {
    await page.goto("/app/segments/new");
    const name = `Burger or cola ${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Condition", { exact: true }).selectOption("bought");
    const values = page.getByRole("textbox", { name: "Any of" });
    // A pasted list: each name before a comma a tag, the last one ended by Enter (which does not save yet).
    await values.fill("BURGER, FRIES, COLA");
    await page.getByRole("button", { name: "Remove FRIES" }).waitFor();
    expect(await values.inputValue()).toBe("COLA");
    await values.press("Enter");
    await page.getByRole("button", { name: "Remove COLA" }).waitFor();
    expect(await values.inputValue()).toBe("");
    await page.getByRole("button", { name: "Remove FRIES" }).click();
    expect(await page.getByRole("list", { name: "Any of" }).getByRole("listitem").allTextContents()).toEqual([
      "BURGER×",
      "COLA×",
    ]);
    await screenshot(page, "admin", "segment-builder-tags");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const saved = await b.system.client(b.tenant.apiKeys.admin).segments.get.query({ id });
    expect(saved.definition).toEqual({
      all: [expect.objectContaining({ type: "bought", by: "sku", values: ["BURGER", "COLA"] })],
    });
  });

  it("shows a window of 14 days saved through the API as such, and keeps it when the condition is edited", {
    timeout: 60_000,
  }, async () => {
    const admin = b.system.client(b.tenant.apiKeys.admin);
    const name = `Fortnight buyers ${Date.now()}`;
    const { segment } = await admin.segments.create.mutate({
      name,
      definition: { all: [{ type: "orders_count", window: { lastDays: 14 }, op: "gte", value: 1 }] },
    });
    await page.goto(`/app/segments/${segment.id}/edit`);
    const window = page.getByLabel("In", { exact: true });
    await window.waitFor();
    expect(await window.locator("option:checked").textContent()).toBe("the last … days");
    expect(await page.getByLabel("Number of days").inputValue()).toBe("14");
    await expectAccessible(page);

    await page.getByLabel("Orders", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Save" }).click();
    // Exact: the editor's own heading, "Edit <name>", holds the name too, and would be found before the save ends.
    await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
    const saved = await admin.segments.get.query({ id: segment.id });
    expect(saved.definition).toEqual({
      all: [{ type: "orders_count", window: { lastDays: 14 }, op: "gte", value: 2 }],
    });
  });
});
