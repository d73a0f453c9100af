import { eventually, saleBody } from "@regulars/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

const menuLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name, exact: true });

/** Where the task's reviewer looks at the page by eye, beside the fixture's own screenshots. */
const reviewScreenshot = "/tmp/fix-locations-page/page.png";

/** The Locations page: an owner gives a location its own time zone, then hands it back to the tenant's. */
describe("locations page in a real browser", () => {
  let web: BrowserSystem;
  beforeAll(async () => {
    web = await startBrowserSystem();
  }, 180_000);
  afterAll(async () => {
    await web?.dispose();
  });

  it("adds a location in New York's zone, shows the server's field errors, and sets it back to the tenant's zone", {
    timeout: 120_000,
  }, async () => {
    const admin = web.system.client(web.tenant.apiKeys.admin);
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Locations").click();
    await page.getByRole("heading", { name: "Locations", level: 1 }).waitFor();
    await page.getByText("No location has settings of its own yet").waitFor();
    await page.getByText("The tenant's zone stays in charge").waitFor();
    await expectAccessible(page);

    // The server refuses the id; its message is shown at the id field, which is marked invalid.
    const idField = page.getByLabel("Location id");
    await idField.fill("nyc 5th");
    await page.getByLabel("Name").fill("Fifth Avenue");
    await page.getByLabel("Time zone").selectOption("America/New_York");
    await page.getByRole("button", { name: "Add location" }).click();
    await page.getByText("use 1-64 letters, digits, '-' or '_'").waitFor();
    expect(await idField.getAttribute("aria-invalid")).toBe("true");
    expect((await admin.locations.list.query()).items).toEqual([]);
    expect((await admin.locations.list.query()).seenUnavailable).toBe(false);

    await idField.fill("nyc-5th");
    await page.getByRole("button", { name: "Add location" }).click();
    await page.getByText("Location nyc-5th saved.").waitFor();
    const row = page.getByRole("row").filter({ hasText: "nyc-5th" });
    // Summer or winter: New York is 4 or 5 hours behind UTC.
    await row.getByText(/^America\/New_York \(UTC−0[45]:00 now\)$/).waitFor();
    await row.getByText("Fifth Avenue", { exact: true }).waitFor();
    const added = (await admin.locations.list.query()).items;
    expect(added).toEqual([
      {
        id: "nyc-5th",
        name: "Fifth Avenue",
        timezone: "America/New_York",
        zoneInForce: "America/New_York",
        configured: true,
        updatedAt: expect.any(String),
        sales: 0,
        lastSaleAt: null,
      },
    ]);
    expect(new Date(added[0]!.updatedAt!).toISOString()).toBe(added[0]!.updatedAt);
    // The form is empty again for the next location.
    expect(await idField.inputValue()).toBe("");
    await expectAccessible(page);
    await page.screenshot({ path: reviewScreenshot, fullPage: true });
    await screenshot(page, "admin", "locations");

    await row.getByRole("button", { name: "Edit nyc-5th" }).click();
    await page.getByRole("heading", { name: "Edit location nyc-5th" }).waitFor();
    expect(await idField.inputValue()).toBe("nyc-5th");
    expect(await idField.getAttribute("readonly")).not.toBeNull();
    expect(await page.getByLabel("Name").inputValue()).toBe("Fifth Avenue");
    expect(await page.getByLabel("Time zone").inputValue()).toBe("America/New_York");
    await page.getByLabel("Time zone").selectOption({ label: "The tenant's zone (Europe/Warsaw)" });
    await expectAccessible(page);
    await screenshot(page, "admin", "locations-edit");
    await page.getByRole("button", { name: "Save changes" }).click();
    await row.getByText("Tenant's zone (Europe/Warsaw)", { exact: true }).waitFor();
    await page.getByRole("heading", { name: "Add a location" }).waitFor();
    const edited = (await admin.locations.list.query()).items;
    expect(edited).toEqual([
      expect.objectContaining({ id: "nyc-5th", name: "Fifth Avenue", timezone: null, zoneInForce: "Europe/Warsaw" }),
    ]);
    // Every set moves the row's change time forward (the programme cache notices changes by it).
    expect(Date.parse(edited[0]!.updatedAt!)).toBeGreaterThan(Date.parse(added[0]!.updatedAt!));
    await page.context().close();
  });

  it("lists a location a till sold at before anyone configured it, and sets its time zone from the table", {
    timeout: 120_000,
  }, async () => {
    const admin = web.system.client(web.tenant.apiKeys.admin);
    const sale = saleBody({ locationId: "airport-t2" });
    expect((await web.system.post("/v1/transactions", web.tenant.apiKeys.pos, sale)).status).toBe(202);
    // ClickHouse is filled by the analytics writer a little after the gateway accepted the sale.
    await eventually(
      "the sale's location in the list",
      async () => (await admin.locations.list.query()).items.find((l) => l.id === "airport-t2" && l.sales === 1),
      60_000,
    );

    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Locations").click();
    const row = page.getByRole("row").filter({ hasText: "airport-t2" });
    await row.getByText("Not configured", { exact: true }).waitFor();
    await row.getByText("Tenant's zone (Europe/Warsaw)", { exact: true }).waitFor();
    await row.getByRole("cell", { name: "1", exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "locations-seen");

    await row.getByRole("button", { name: "Set time zone of airport-t2" }).click();
    await page.getByRole("heading", { name: "Set the time zone of airport-t2" }).waitFor();
    expect(await page.getByLabel("Location id").inputValue()).toBe("airport-t2");
    await page.getByLabel("Time zone", { exact: true }).selectOption("Europe/London");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Location airport-t2 saved.").waitFor();
    await row.getByText(/^Europe\/London \(UTC[+±]0[01]:00 now\)$/).waitFor();
    await row.getByRole("button", { name: "Edit airport-t2" }).waitFor();
    expect((await admin.locations.list.query()).items.find((l) => l.id === "airport-t2")).toMatchObject({
      configured: true,
      timezone: "Europe/London",
      sales: 1,
    });
    await page.context().close();
  });
});
