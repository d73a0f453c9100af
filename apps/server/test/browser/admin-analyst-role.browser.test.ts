import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// An analyst reads (dashboard, segments and their SQL, the SQL console) and may write SQL segments of their own; the
// admin app must show them no control the API would refuse them, on any page their menu leads to.

/** Names of controls that change something; an analyst's only one is "New segment" (their own SQL segments). */
const changing = new RegExp(
  "^(edit|save|delete|remove|archive|pause|resume|refresh|adjust|erase|activate|schedule|issue|generate|import|add)" +
    "\\b|^new (campaign|template|coupon|rule|location|webhook|key|staff)",
  "i",
);

/** Every button and link in the page's main area, by its label (read at once: the page may still re-render). */
function controlsOf(page: Page): Promise<string[]> {
  return page
    .getByRole("main")
    .locator("button, a, [role=button]")
    .evaluateAll((els) => els.map((e) => (e.getAttribute("aria-label") ?? e.textContent ?? "").trim()));
}

const changingControls = async (page: Page) => (await controlsOf(page)).filter((name) => changing.test(name));

let b: BrowserSystem;
const segments = { adminSql: "", definition: "" };
const names = { adminSql: "Buyers, by an admin's SQL", definition: "Recent sign-ups", mine: "My buyers" };

beforeAll(async () => {
  b = await startBrowserSystem();
  const admin = b.system.client(b.tenant.apiKeys.admin);
  const sql = ["SELECT DISTINCT customer_id", "FROM transactions", "WHERE type = 'sale'"];
  segments.adminSql = (await admin.segments.create.mutate({ name: names.adminSql, sql })).segment.id;
  const definition = { all: [{ type: "registered_within" as const, days: 30 }] };
  segments.definition = (await admin.segments.create.mutate({ name: names.definition, definition })).segment.id;
}, 180_000);
afterAll(() => b?.dispose());

describe("the admin app for an analyst", () => {
  it("shows no control that changes something on any page of the analyst's menu", { timeout: 120_000 }, async () => {
    const page = await b.newPage();
    await signIn(page, b.staff.analyst);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    const entries = await Promise.all((await menu.getByRole("link").all()).map((l) => l.textContent()));
    // Pages that are only forms for changes (programme, coupons, campaigns' builder, locations…) are not offered.
    expect(entries).toEqual(["Dashboard", "Segments", "SQL console"]);
    for (const entry of entries) {
      await menu.getByRole("link", { name: entry! }).click();
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await changingControls(page), `controls on ${entry}`).toEqual([]);
    }

    // Segments the analyst did not create: readable, with their SQL, but neither editable nor refreshable.
    for (const [id, name] of [
      [segments.adminSql, names.adminSql],
      [segments.definition, names.definition],
    ] as const) {
      await page.goto(`/app/segments/${id}`);
      await page.getByRole("heading", { level: 1, name }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await changingControls(page), `controls on ${name}`).toEqual([]);
    }
    await page.getByText("Show the definition").click();
    await expectAccessible(page);
    await screenshot(page, "admin", "segment-analyst-read-only");

    // Its editor's address leads to a note, not to a form whose saving the API would refuse.
    await page.goto(`/app/segments/${segments.adminSql}/edit`);
    await page.getByText("Analysts can change only the SQL segments they created").waitFor();
    expect(await page.getByLabel("SQL query").count()).toBe(0);
    expect(await changingControls(page)).toEqual([]);
    await expectAccessible(page);
    await page.context().close();
  });

  it("lets the analyst create a SQL segment and change it afterwards", { timeout: 120_000 }, async () => {
    const page = await b.newPage();
    await signIn(page, b.staff.analyst);
    await page.goto("/app/segments/new");
    await page.getByLabel("Name").fill(names.mine);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name: names.mine }).waitFor();
    expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Refresh now" }).count()).toBe(0);
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("SQL query").waitFor();
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(1);
    await page.context().close();
  });
});

describe("the admin app for an owner, beside it", () => {
  it("offers the owner the changes the analyst was not shown", { timeout: 120_000 }, async () => {
    const page = await b.newPage();
    await signIn(page, b.staff.owner);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    for (const entry of ["Programme", "Coupons", "Campaigns", "Locations", "Customers"])
      expect(await menu.getByRole("link", { name: entry }).count(), entry).toBe(1);
    await page.goto(`/app/segments/${segments.adminSql}`);
    await page.getByRole("heading", { level: 1, name: names.adminSql }).waitFor();
    expect(await changingControls(page)).toEqual(expect.arrayContaining(["Refresh now", "Edit"]));
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("SQL query").waitFor();
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(1);
    await page.context().close();
  });
});
