import { readFile } from "node:fs/promises";
import { asAdminView } from "@regulars/api-client";
import { eventually } from "@regulars/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushTemplate } from "../campaign-fixture.ts";
import { line, postSale } from "../checkout-flow.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The admin dashboard and the customers pages in a real browser over the whole system: sales posted by a POS
// reach the dashboard's charts, and staff find a customer, adjust their points, export and erase their data.

let b: BrowserSystem;
const anna = { phone: "+48600900101", name: "Anna Kowalska" };
const ben = { phone: "+48600900102", name: "Ben Nowak" };
let annaId: string;
let benId: string;
let earned: number;
/** The demo tenant's zone, in which the dashboard counts its days. */
const demoTimezone = "Europe/Warsaw";

/** Figures as the app shows them in English: en-GB grouping. */
const number = (n: number) => new Intl.NumberFormat("en-GB").format(n);

beforeAll(async () => {
  b = await startBrowserSystem();
  const { system, tenant } = b;
  const admin = system.client(tenant.apiKeys.admin);
  await admin.programme.tiers.set.mutate({
    tiers: {
      basis: "points_earned",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 200 },
      ],
    },
  } as never);
  // Stamped now, not earlier: the tiers are in force from the moment they were set. One stamp for every sale and for
  // the day the dashboard is asked about, so a local midnight passing during the set-up cannot split them.
  const stamp = new Date();
  const sale = (phone: string, locationId: string, price: number) =>
    postSale(system, tenant, phone, [line("BURGER", price)], {
      occurredAt: stamp.toISOString(),
      locationId,
      channel: "pos",
    });
  const sales = [
    await sale(anna.phone, "store-north", 4_200),
    await sale(anna.phone, "store-south", 1_800),
    // A catering order: a day's points in the thousands, which the chart's axis groups as the figures do.
    await sale(ben.phone, "store-north", 250_000),
  ];
  earned = sales.reduce((sum, s) => sum + s.record.pointsAwarded, 0);
  expect(earned).toBeGreaterThan(0);

  annaId = asAdminView(await admin.customers.get.query({ phone: anna.phone })).id;
  benId = asAdminView(await admin.customers.get.query({ phone: ben.phone })).id;
  await admin.customers.updateProfile.mutate({ customerId: annaId, name: anna.name });
  await admin.customers.updateProfile.mutate({ customerId: benId, name: ben.name });
  // A campaign that reached nobody yet: its row shows on the dashboard with zero sent and no rates.
  const template = await pushTemplate(system, tenant, "Points expiring", "Your points expire soon");
  await admin.campaigns.create.mutate({
    name: "Expiry reminder",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "points_expiring", daysBefore: 14 },
    actions: [{ type: "send_message", channel: "push", templateId: template.id }],
  });
  await admin.customers.setConsents.mutate({
    customerId: annaId,
    consents: [{ channel: "email", purpose: "marketing", granted: true }],
  });

  // The dashboard reads ClickHouse, which the writers fill a little after the ledger processed the sales.
  const analyst = system.client(tenant.apiKeys.analyst);
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: demoTimezone }).format(stamp);
  await eventually(
    "the sales on the dashboard",
    async () => {
      const points = await analyst.analytics.dashboard.points.query({ from: today, to: today, granularity: "day" });
      expect(points.totals.earned).toBe(earned);
      return points;
    },
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

/**
 * A fresh page that waits longer than the fixture's default: the test machine has two cores, and other
 * test files may share them with this one's whole system.
 */
async function openPage(): Promise<Page> {
  const page = await b.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

/** Retries a read until it matches, for as long as the page waits. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 250 });

/** The figure after a term in the customer's description lists ("Points balance" → "1,234"). */
const fact = (page: Page, term: string) => page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd");

async function openCustomer(page: Page, phone: string, name: string) {
  await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Customers" }).click();
  await page.getByLabel("Phone, e-mail, name, card number or customer id").fill(phone);
  await page.getByRole("button", { name: "Search" }).click();
  await page
    .getByRole("table", { name: /customers matching/i })
    .getByRole("link", { name })
    .click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

describe("admin dashboard and customers", () => {
  it("shows the programme's figures in charts with text alternatives", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await page.getByRole("heading", { level: 1, name: "Programme at a glance" }).waitFor();

    const points = page.getByRole("figure", { name: /Points earned:/ });
    await poll(() => points.textContent()).toContain(`Points earned: ${number(earned)}`);
    const ticks = () =>
      points.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value").allTextContents();
    await poll(ticks).toContainEqual(expect.stringMatching(/^\d{1,3}(,\d{3})+$/));
    expect((await ticks()).filter((tick) => /^\d{4,}$/.test(tick))).toEqual([]);
    const locations = page.getByRole("figure", { name: /Revenue at 2 locations/ });
    await poll(() => locations.textContent()).toMatch(/store-north.*store-south/);
    const tiers = page.getByRole("figure", { name: /2 active members/ });
    // Tiers by the names the programme gives them, not their ids.
    await poll(() => tiers.textContent()).toMatch(/(Bronze|Silver) [12]/);
    expect(await tiers.textContent()).not.toMatch(/bronze|silver/);
    const campaigns = page.getByRole("table", { name: /Active and recent campaigns/ });
    const reminder = campaigns.getByRole("row").filter({ hasText: "Expiry reminder" });
    await poll(() => reminder.textContent()).toMatch(/^Expiry reminderActive0——/);

    // A coarser granularity asks the server again; the totals stay the same.
    await page.getByLabel("Per").selectOption("week");
    await page.getByLabel("Range").selectOption("90");
    await poll(() => points.textContent()).toContain(`Points earned: ${number(earned)}`);

    await expectAccessible(page);
    await page.mouse.move(0, 0); // no chart's tooltip in the picture
    await screenshot(page, "admin", "dashboard");
  });

  // Before any adjustment: an adjustment counts as points earned too.
  it("shows an analyst the dashboard but not the customers", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.analyst);
    await page.getByRole("heading", { level: 1, name: "Programme at a glance" }).waitFor();
    const points = page.getByRole("figure", { name: /Points earned:/ });
    await poll(() => points.textContent()).toContain(`Points earned: ${number(earned)}`);
    // An analyst may not read the programme: the tiers show by their ids.
    const tiers = page.getByRole("figure", { name: /2 active members/ });
    await poll(() => tiers.textContent()).toMatch(/(bronze|silver) [12]/);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    await menu.getByRole("link", { name: "Dashboard" }).waitFor();
    expect(await menu.getByRole("link", { name: "Customers" }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "admin", "dashboard-analyst");
  });

  it("finds a customer, adjusts their points and exports their data", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Customers" }).click();
    await page.getByRole("heading", { level: 1, name: "Customers" }).waitFor();
    await page.getByLabel("Phone, e-mail, name, card number or customer id").fill(anna.phone);
    await page.getByRole("button", { name: "Search" }).click();
    const results = page.getByRole("table", { name: /customers matching/i });
    await results.getByRole("link", { name: anna.name }).waitFor();
    expect(await results.getByRole("row").count()).toBe(2); // the header and Anna
    await expectAccessible(page);
    await screenshot(page, "admin", "customers-search");

    await results.getByRole("link", { name: anna.name }).click();
    await page.getByRole("heading", { level: 1, name: anna.name }).waitFor();
    const admin = b.system.client(b.tenant.apiKeys.admin);
    const before = asAdminView(await admin.customers.get.query({ id: annaId })).points.balance;
    await poll(() => fact(page, "Points balance").textContent()).toBe(number(before));
    const ledger = page.getByRole("table", { name: /Ledger movements/ });
    await ledger.getByRole("row").nth(1).waitFor();
    await page.getByText(`${number(200 - before)} points to Silver`).waitFor();
    const consents = page.getByRole("table", { name: /Consent choices/ });
    await poll(() => consents.textContent()).toMatch(/E-mail.*Marketing.*Granted/);

    // The server refuses zero points and a reason too short to say why, each at its field.
    const amount = page.getByLabel("Points", { exact: true });
    const reason = page.getByLabel("Reason", { exact: true });
    await amount.fill("0");
    await reason.fill("");
    await page.getByRole("button", { name: "Adjust" }).click();
    await page.getByRole("alert").filter({ hasText: "must not be zero" }).waitFor();
    await page.getByRole("alert").filter({ hasText: "say why" }).waitFor();
    expect(await amount.getAttribute("aria-invalid")).toBe("true");
    expect(await fact(page, "Points balance").textContent()).toBe(number(before));

    await amount.fill("50");
    await reason.fill("Goodwill: a cold burger");
    await page.getByRole("button", { name: "Adjust" }).click();
    await page.getByRole("status").filter({ hasText: "Adjusted by 50 points" }).waitFor();
    await poll(() => fact(page, "Points balance").textContent()).toBe(number(before + 50));
    await poll(() => ledger.getByRole("row").nth(1).textContent()).toMatch(/\+50.*Goodwill: a cold burger/);
    expect(await amount.getAttribute("aria-invalid")).not.toBe("true");
    await expectAccessible(page);
    await screenshot(page, "admin", "customer");

    // The answer to a saved adjustment is lost on its way back: the admin sees a failure and submits the same again.
    // It must not take effect twice.
    let answers = 0;
    let lost = false;
    await page.route(/customers\.adjust/, async (route) => {
      if (answers++ > 0) return route.continue();
      await route.fetch();
      await route.abort("connectionreset");
      lost = true;
    });
    await amount.fill("30");
    await reason.fill("Goodwill: fries missing");
    const submit = page.getByRole("button", { name: "Adjust" });
    await submit.click();
    await poll(async () => lost).toBe(true);
    await page.getByRole("alert").waitFor();
    await submit.click();
    await page.getByRole("status").filter({ hasText: "Adjusted by 30 points" }).waitFor();
    expect(answers).toBe(2);
    expect(asAdminView(await admin.customers.get.query({ id: annaId })).points.balance).toBe(before + 80);
    await page.unroute(/customers\.adjust/);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export data (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${annaId}.json`);
    const exported = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(exported).toMatchObject({ customerId: annaId, tenantId: b.tenant.tenantId });
  });

  it("erases a customer once their id is typed again", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await openCustomer(page, ben.phone, ben.name);
    await poll(() => fact(page, "Phone").textContent()).toBe(ben.phone);

    await page.getByRole("button", { name: "Erase customer" }).click();
    const dialog = page.getByRole("alertdialog", { name: /Erase this customer/ });
    await dialog.getByLabel(/Type the customer id/).fill(benId);
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Erase", exact: true }).click();

    await page
      .getByRole("status")
      .filter({ hasText: /^Erased on/ })
      .waitFor();
    await page.getByRole("heading", { level: 1, name: /Unnamed customer/ }).waitFor();
    expect(await fact(page, "Phone").textContent()).toBe("—");
    expect(await page.getByRole("button", { name: "Erase customer" }).count()).toBe(0);
    await screenshot(page, "admin", "customer-erased");

    // Nobody finds the erased customer by their phone any more.
    await page.getByRole("link", { name: "All customers" }).click();
    await page.getByLabel("Phone, e-mail, name, card number or customer id").fill(ben.phone);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No customer matches.").waitFor();
  });

  it("reaches the customers page from sign-in with the keyboard alone", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await page.goto("/app/");
    await tabTo(page, "E-mail");
    await page.keyboard.type(b.staff.operator.email);
    await tabTo(page, "Password");
    await page.keyboard.type(b.staff.operator.password);
    await page.keyboard.press("Enter");
    await page.getByRole("navigation", { name: "Main menu" }).waitFor();

    await tabTo(page, "Customers");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Customers" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/app/customers");
  });
});

/** Presses Tab until the focused element is named `name` (its label or text), as a keyboard user would. */
async function tabTo(page: Page, name: string, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return "";
      const labels = (el as HTMLInputElement).labels;
      return (labels?.[0]?.textContent ?? el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
    });
    if (focused === name) return;
  }
  throw new Error(`${name} was not reached with ${maxPresses} presses of Tab`);
}
