import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

const menuLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name, exact: true });

/** The brand page's caps across campaigns: a marketer sets "3 a week, 1 push in 12 hours", the server keeps that. */
describe("frequency caps on the brand page in a real browser", () => {
  let web: BrowserSystem;
  beforeAll(async () => {
    web = await startBrowserSystem();
  }, 180_000);
  afterAll(async () => {
    await web?.dispose();
  });

  it("adds two caps, shows the server's field error, saves them, and reads them back after a reload", {
    timeout: 120_000,
  }, async () => {
    const admin = web.system.client(web.tenant.apiKeys.admin);
    const page = await web.newPage();
    await signIn(page, web.staff.marketer);
    await menuLink(page, "Brand").click();
    await page.getByRole("heading", { name: "Frequency caps across campaigns" }).waitFor();
    await page.getByText("No caps: only each campaign's own limits apply.").waitFor();

    await page.getByRole("button", { name: "Add a cap" }).click();
    await page.getByRole("button", { name: "Add a cap" }).click();
    const caps = page.getByRole("listitem").filter({ has: page.getByLabel("Channel") });
    expect(await caps.count()).toBe(2);
    // The first as added: 3 messages in any 7 days on all channels together. The second: 1 push in any 12 hours.
    const second = caps.nth(1);
    await second.getByLabel("At most (messages)").fill("0");
    await second.getByLabel("Channel").selectOption({ label: "Push" });
    await second.getByLabel("In any").fill("12");
    await second.getByLabel("Unit").selectOption({ label: "hours" });
    await page.getByRole("button", { name: "Update caps" }).click();
    // The server refuses no messages at all; its message shows at the field, and nothing was stored.
    const max = second.getByLabel("At most (messages)");
    await page.waitForFunction((el) => el?.getAttribute("aria-invalid") === "true", await max.elementHandle());
    expect(await admin.tenants.frequencyCaps.query()).toEqual({ caps: [] });

    await max.fill("1");
    await page.getByRole("button", { name: "Update caps" }).click();
    await page.getByText("Saved. Campaigns keep to the new caps within a minute.").waitFor();
    const stored = [
      { max: 3, windowHours: 24 * 7 },
      { channel: "push", max: 1, windowHours: 12 },
    ];
    expect(await admin.tenants.frequencyCaps.query()).toEqual({ caps: stored });
    await expectAccessible(page);
    await screenshot(page, "admin", "brand-frequency-caps");

    // Read back as saved: a week shows as 7 days, 12 hours stay 12 hours.
    await page.reload();
    await page.getByRole("heading", { name: "Frequency caps across campaigns" }).waitFor();
    // The card's heading shows before the caps load; the second cap's row shows once they have.
    await caps.nth(1).waitFor();
    expect(await caps.count()).toBe(2);
    expect(await caps.nth(0).getByLabel("In any").inputValue()).toBe("7");
    expect(await caps.nth(0).getByLabel("Unit").inputValue()).toBe("days");
    expect(await caps.nth(1).getByLabel("Channel").inputValue()).toBe("push");
    expect(await caps.nth(1).getByLabel("In any").inputValue()).toBe("12");
    expect(await caps.nth(1).getByLabel("Unit").inputValue()).toBe("hours");

    await page.getByRole("button", { name: "Remove cap 2" }).click();
    await page.getByRole("button", { name: "Update caps" }).click();
    await page.getByText("Saved. Campaigns keep to the new caps within a minute.").waitFor();
    expect(await admin.tenants.frequencyCaps.query()).toEqual({ caps: [stored[0]] });
    await page.context().close();
  });
});
