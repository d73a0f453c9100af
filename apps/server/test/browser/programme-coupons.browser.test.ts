import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line, postSale } from "../checkout-flow.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The programme and coupons pages in a real browser over the whole system: a marketer changes an earning rule
// and the next sale earns by it, sees a refused rule's error at its field, the change in the version history and
// the simulator's reasons; then creates a coupon campaign, generates and exports its codes and issues one. Last, the
// simulator quotes a rule for a segment only for a customer ticked as the segment's member.

let b: BrowserSystem;
let page: Page;
const phone = "+48600700301";

beforeAll(async () => {
  b = await startBrowserSystem();
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

const cola = { ...line("COLA-M", 250), name: "Cola medium", category: "beverages" };
const burger = { ...line("BURGER-CLASSIC", 790), name: "Classic burger", category: "burgers" };

/** Axe and a screenshot of what is on screen now. */
async function check(name: string) {
  await expectAccessible(page);
  await screenshot(page, "admin", name);
}

const tab = (name: string) => page.getByRole("tab", { name, exact: true });
const selected = async (name: string) => (await tab(name).getAttribute("aria-selected")) === "true";

describe("programme and coupons pages", () => {
  it("a marketer walks the programme's tabs with the keyboard", { timeout: 120_000 }, async () => {
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Programme" }).click();
    await page.getByRole("heading", { level: 1, name: "Loyalty programme" }).waitFor();
    await page
      .getByRole("table", { name: /earning rules/i })
      .getByRole("cell", { name: "base", exact: true })
      .waitFor();
    await check("programme-rules");

    await tab("Earning rules").focus();
    const order = [
      ["Tiers", "programme-tiers"],
      ["Expiry", "programme-expiry"],
      ["Stamp cards", "programme-stamp-cards"],
      ["Milestones", "programme-milestones"],
      ["Redemption & rewards", "programme-redemption"],
      ["Simulator", "programme-simulator"],
      ["Version history", "programme-history"],
    ] as const;
    // Each key is awaited to take effect before the next: the tab list moves focus, then React shows the tab.
    for (const [name, shot] of order) {
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => selected(name), { message: name }).toBe(true);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(name);
      await check(shot);
    }
    // Home goes back to the first tab; Enter on a focused tab shows it.
    await page.keyboard.press("Home");
    await expect.poll(() => selected("Earning rules")).toBe(true);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Enter");
    await expect.poll(() => selected("Version history")).toBe(true);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await expect.poll(() => selected("Earning rules")).toBe(true);
  });

  it("a new earning rule is saved and the next sale earns by it", { timeout: 120_000 }, async () => {
    await page.getByRole("button", { name: "Add a rule" }).click();
    const form = page.getByRole("form", { name: "Earning rule" });
    await form.getByLabel("Rule id").fill("drinks-double");
    await form.getByLabel("Name").fill("2 points per 1.00 on drinks");
    await form.getByLabel("Points per unit").fill("2");
    await form.getByLabel("Unit (amount)").fill("100");
    // A tag box: Enter ends the category typed (and does not send the form).
    await form.getByRole("textbox", { name: "Categories" }).fill("beverages");
    await form.getByRole("textbox", { name: "Categories" }).press("Enter");
    await screenshot(page, "admin", "programme-rule-form");
    await form.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved: version 2 is in force.").waitFor();
    await page
      .getByRole("table", { name: /earning rules/i })
      .getByRole("cell", { name: "drinks-double", exact: true })
      .waitFor();
    await check("programme-rule-saved");

    // After the save, so the sale falls under version 2: 1 point per 1.00 on 10.40, plus 2 per 1.00 on the cola's 2.50.
    const sale = await postSale(b.system, b.tenant, phone, [cola, burger], {
      occurredAt: new Date().toISOString(),
      channel: "pos",
    });
    expect(sale.record.pointsAwarded).toBe(15);
  });

  it("a refused rule shows the server's message at the field", { timeout: 120_000 }, async () => {
    await page.getByRole("button", { name: "Add a rule" }).click();
    const form = page.getByRole("form", { name: "Earning rule" });
    await form.getByLabel("Rule id").fill("broken");
    await form.getByLabel("Points per unit").fill("0");
    await form.getByRole("button", { name: "Save", exact: true }).click();
    const field = form.getByLabel("Points per unit");
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const errorId = await field.getAttribute("aria-describedby");
    const message = await page.locator(`[id="${errorId}"]`).textContent();
    expect(message).toMatch(/0|small|greater|positive/i);
    expect(await form.getByLabel("Unit (amount)").getAttribute("aria-invalid")).toBe("false");
    await check("programme-rule-invalid");
    await form.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.getByRole("form", { name: "Earning rule" }).count()).toBe(0);
  });

  it("the version history shows what the change changed", { timeout: 120_000 }, async () => {
    await tab("Version history").click();
    await page.getByRole("button", { name: "Changes in version 2" }).click();
    const changes = page.getByRole("list", { name: "Settings changed in version 2" });
    await changes.waitFor();
    const items = await changes.getByRole("listitem").allTextContents();
    expect(items).toContain("rules[drinks-double].pointsPerUnit: (not set) → 2");
    expect(items).toContain(
      'rules[drinks-double].match: (not set) → ["beverages"]'.replace("match", "match.categories"),
    );
    expect(items.some((i) => i.startsWith("rules[base]"))).toBe(false);
    await check("programme-history-diff");
  });

  it("the simulator says what a basket earns and why", { timeout: 120_000 }, async () => {
    await tab("Simulator").click();
    const addLine = page.getByRole("form", { name: "Add to basket" });
    await addLine.getByLabel("Product").selectOption("COLA-M");
    await addLine.getByRole("button", { name: "Add to basket" }).click();
    await addLine.getByLabel("Product").selectOption("BURGER-CLASSIC");
    await addLine.getByRole("button", { name: "Add to basket" }).click();
    await page.getByRole("button", { name: "Simulate", exact: true }).click();
    await page.getByText("15 points (programme version 2)").waitFor();
    const reasons = await page.getByRole("list", { name: "Why" }).getByRole("listitem").allTextContents();
    expect(reasons.find((r) => r.startsWith("drinks-double"))).toMatch(/5 points/);
    expect(reasons.find((r) => r.startsWith("base"))).toMatch(/10\.4 points/);
    await check("programme-simulator-result");
  });

  it("a rule is switched off from its row, behind a confirmation that says what it does", {
    timeout: 120_000,
  }, async () => {
    await tab("Earning rules").click();
    const rules = page.getByRole("table", { name: /earning rules/i });
    const row = rules.getByRole("row").filter({ has: page.getByRole("cell", { name: "drinks-double", exact: true }) });
    await row.getByRole("button", { name: "Disable rule drinks-double" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Disable rule drinks-double?" });
    await dialog.getByText("Sales from now on no longer earn by it.").waitFor();
    await dialog.getByRole("button", { name: "Disable" }).click();
    await page.getByText("Saved: version 3 is in force.").waitFor();
    await row.getByText("Disabled", { exact: true }).waitFor();
    expect(await row.getByRole("button", { name: "Disable rule drinks-double" }).count()).toBe(0);
    expect(await row.getByRole("button", { name: "Edit rule drinks-double" }).count()).toBe(1);
    const base = rules.getByRole("row").filter({ has: page.getByRole("cell", { name: "base", exact: true }) });
    expect(await base.getByRole("button", { name: "Disable rule base" }).count()).toBe(1);
  });

  it("a coupon campaign gets 2,000 codes behind a progress bar, exported as CSV, and one is issued", {
    timeout: 120_000,
  }, async () => {
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Coupons" }).click();
    await page.getByRole("heading", { level: 1, name: "Coupon campaigns" }).waitFor();
    await check("coupons-list-empty");

    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "New coupon campaign" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Welcome 20%");
    await page.getByLabel("Percent").fill("20");
    await page.getByLabel("Uses per customer").fill("1");
    await page.getByLabel("Pattern").fill("WELCOME-XXXXXXX");
    // The channels by name, not as the API spells them.
    const channels = page.getByRole("group", { name: /^Channels/ });
    for (const name of ["Kiosk", "Till (POS)", "App", "Web shop", "Delivery"])
      expect(await channels.getByRole("checkbox", { name, exact: true }).count(), name).toBe(1);
    expect(await channels.getByRole("checkbox", { name: "pos", exact: true }).count()).toBe(0);
    await check("coupons-new");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "Welcome 20%" }).waitFor();

    // Every value the bar takes, so the test sees it advance per answered chunk and not jump at the end.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const now = document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow");
        if (now && seen.at(-1) !== now) seen.push(now);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByLabel("Codes to generate").fill("2000");
    await page.getByRole("button", { name: "Generate codes" }).click();
    await page.getByText("Codes generated: 2,000.").waitFor({ timeout: 60_000 });
    expect(await page.getByRole("progressbar", { name: "Generating codes" }).getAttribute("aria-valuenow")).toBe("100");
    expect(await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen)).toEqual([
      "0",
      "50",
      "100",
    ]);
    const figures = page.getByRole("definition");
    await expect.poll(async () => (await figures.allTextContents()).includes("2,000")).toBe(true);
    await check("coupons-codes-generated");

    // WELCOME-XXXXXXX holds 4,586 codes: 5,000 more are refused before any is made, with the room left said.
    await page.getByLabel("Codes to generate").fill("5000");
    await page.getByRole("button", { name: "Generate codes" }).click();
    const count = page.getByLabel("Codes to generate");
    await expect.poll(() => count.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
    const refusal = page.locator(`[id="${await count.getAttribute("aria-describedby")}"]`);
    await expect
      .poll(() => refusal.textContent())
      .toBe(
        "Pattern WELCOME-XXXXXXX has room for 2,586 more codes: it holds at most 4,586 and 2,000 exist already. " +
          "Ask for at most 2,586, or give the campaign a pattern with more X's.",
      );
    expect(await page.getByRole("progressbar", { name: "Generating codes" }).count()).toBe(0);
    await check("coupons-codes-too-many");

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export codes (CSV)" }).click();
    const file = await (await download).path();
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    const codes = lines.filter((l) => /^WELCOME-[A-Z0-9]{7},/.test(l));
    expect(codes).toHaveLength(2_000);
    expect(new Set(codes.map((l) => l.split(",")[0])).size).toBe(2_000);
    expect(lines).toHaveLength(2_001); // and a header

    await page.getByLabel("Find a customer").fill(phone);
    await page.getByRole("button", { name: "Search" }).click();
    await page
      .getByRole("list", { name: "Customers found" })
      .getByRole("button", { name: /^Issue to/ })
      .click();
    await page.getByText(/^Code WELCOME-[A-Z0-9]{7} is in the wallet of/).waitFor();
    const issued = page.locator("dt", { hasText: "Issued into wallets" }).locator("xpath=following-sibling::dd[1]");
    await expect.poll(() => issued.textContent()).toBe("1");
    await check("coupons-campaign");

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    await page.getByRole("link", { name: "← All campaigns" }).click();
    const row = page.getByRole("table", { name: /coupon campaigns/i }).getByRole("row", { name: /Welcome 20%/ });
    await expect.poll(() => row.textContent()).toMatch(/Paused.*20% off.*Unique codes/);
    await check("coupons-list");
  });

  it("an operator sees the campaigns but is not offered changes", { timeout: 120_000 }, async () => {
    const operator = await b.newPage();
    await signIn(operator, b.staff.operator);
    const menu = operator.getByRole("navigation", { name: "Main menu" });
    expect(await menu.getByRole("link", { name: "Programme" }).count()).toBe(0);
    await menu.getByRole("link", { name: "Coupons" }).click();
    await operator.getByRole("link", { name: "Welcome 20%" }).click();
    await operator.getByRole("heading", { level: 1, name: "Welcome 20%" }).waitFor();
    await operator.getByRole("button", { name: "Export codes (CSV)" }).waitFor();
    expect(await operator.getByRole("button", { name: /Pause|Resume/ }).count()).toBe(0);
    expect(await operator.getByRole("button", { name: "Generate codes" }).count()).toBe(0);
    await operator.context().close();
  });

  it("a campaign's weekdays, hours, tiers and items are kept in the tenant's zone, and codes come from a file", {
    timeout: 180_000,
  }, async () => {
    const admin = b.system.client(b.tenant.apiKeys.admin);
    await admin.programme.tiers.set.mutate({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "gold", name: "Gold", threshold: 500 },
        ],
      },
    } as never);
    // The tiers changed behind the app's back: a reload drops the programme the page holds from earlier tests.
    await page.reload();
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Coupons" }).click();
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "New coupon campaign" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Gold lunch");
    await page.getByLabel("Percent").fill("10");
    await page.getByLabel("Kind of codes").selectOption("imported");
    const requires = page.getByRole("group", { name: /Only when the basket holds/ });
    await requires.getByRole("textbox", { name: "Categories" }).fill("burgers");
    await requires.getByRole("textbox", { name: "Categories" }).press("Enter");
    await page.getByRole("checkbox", { name: "Gold" }).check();
    await page.getByRole("checkbox", { name: "Monday" }).check();
    await page.getByRole("checkbox", { name: "Friday" }).check();
    await page.getByLabel("From (time of day)").fill("11:30");
    await page.getByLabel("Until (time of day)").fill("15:00");
    // A winter and a summer wall-clock time in Warsaw (UTC+1, then UTC+2), whatever the browser's zone: from
    // January of last year to July of next year, so the campaign is valid whenever the test runs.
    const year = new Date().getUTCFullYear();
    const from = { local: `${year - 1}-01-15T09:00`, utc: `${year - 1}-01-15T08:00:00.000Z` };
    const until = { local: `${year + 1}-07-15T21:30`, utc: `${year + 1}-07-15T19:30:00.000Z` };
    await page.getByLabel("Valid from").fill(from.local);
    await page.getByLabel("Valid until").fill(until.local);
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "Gold lunch" }).waitFor();
    const id = /\/coupons\/(cpn_[a-z0-9]+)/.exec(page.url())?.[1] ?? "";

    const stored = await admin.coupons.get.query({ id });
    expect(stored.config.conditions).toMatchObject({
      weekdays: [1, 5],
      hours: { from: "11:30", to: "15:00" },
      tiers: ["gold"],
      requires: { skus: [], categories: ["burgers"], tags: [] },
      validFrom: from.utc,
      validTo: until.utc,
    });

    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Edit Gold lunch" }).waitFor();
    await page.getByRole("checkbox", { name: "Gold" }).waitFor();
    expect(await page.getByRole("checkbox", { name: "Gold" }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Bronze" }).isChecked()).toBe(false);
    expect(await page.getByRole("checkbox", { name: "Monday" }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Tuesday" }).isChecked()).toBe(false);
    expect(await page.getByRole("checkbox", { name: "Friday" }).isChecked()).toBe(true);
    expect(await page.getByLabel("From (time of day)").inputValue()).toBe("11:30");
    expect(await page.getByLabel("Until (time of day)").inputValue()).toBe("15:00");
    expect(await page.getByLabel("Valid from").inputValue()).toBe(from.local);
    expect(await page.getByLabel("Valid until").inputValue()).toBe(until.local);
    expect(await requires.getByRole("list", { name: "Categories" }).getByRole("listitem").allTextContents()).toEqual([
      "burgers×",
    ]);
    await check("coupons-conditions");

    // Saved again unchanged, nothing moves (an hour's shift each save was the browser-zone mistake).
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Gold lunch" }).waitFor();
    expect((await admin.coupons.get.query({ id })).config.conditions).toEqual(stored.config.conditions);

    const file = ["code", "PARTNER-0001", "PARTNER-0002", "", "PARTNER-0002", "not a code!"].join("\n");
    await page.getByLabel("File of codes (CSV or text)").setInputFiles({
      name: "partner-codes.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(file),
    });
    await page.getByText("Codes read from partner-codes.csv: 4.").waitFor();
    await page.getByRole("button", { name: "Import codes" }).click();
    await page
      .getByText("Codes in the file: 4. Imported: 2; repeated in the file: 1; refused: 1.")
      .waitFor({ timeout: 60_000 });
    expect(await page.getByRole("progressbar", { name: "Importing codes" }).getAttribute("aria-valuenow")).toBe("100");
    const problems = await page
      .getByRole("list", { name: /Lines left out/ })
      .getByRole("listitem")
      .allTextContents();
    expect(problems).toEqual([expect.stringMatching(/^Line 5: PARTNER-0002 /), expect.stringMatching(/^Line 6: /)]);
    const imported = page.locator("dt", { hasText: "Imported codes" }).locator("xpath=following-sibling::dd[1]");
    await expect.poll(() => imported.textContent()).toBe("2");
    await check("coupons-import");
  });

  it("the simulator quotes a segment's rule only for a customer ticked as its member", {
    timeout: 120_000,
  }, async () => {
    const admin = b.system.client(b.tenant.apiKeys.admin);
    // Who the segment holds does not matter: the simulated customer's memberships are the ones ticked.
    const { segment } = await admin.segments.create.mutate({
      name: "Lunch regulars",
      definition: { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] },
    });
    await admin.programme.rules.upsert.mutate({
      rule: { id: "regulars-visit", type: "per_visit", points: 7, minAmount: 0, segments: [segment.id] } as never,
    });
    const { version } = await admin.programme.get.query();
    // The rule was added behind the app's back: a reload drops the programme the page holds.
    await page.reload();
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Programme" }).click();
    await tab("Simulator").click();
    const addLine = page.getByRole("form", { name: "Add to basket" });
    await addLine.getByLabel("Product").selectOption("BURGER-CLASSIC");
    await addLine.getByRole("button", { name: "Add to basket" }).click();
    const points = page.getByTestId("simulated-points");
    const reasons = () => page.getByRole("list", { name: "Why" }).getByRole("listitem").allTextContents();
    const pointsShown = async () => Number(/^(\d+) points/.exec((await points.textContent()) ?? "")?.[1]);

    await page.getByRole("button", { name: "Simulate", exact: true }).click();
    await points.getByText(`(programme version ${version})`).waitFor();
    const outside = await pointsShown();
    expect((await reasons()).some((r) => r.startsWith("regulars-visit"))).toBe(false);

    const segments = page.getByRole("group", { name: "Customer's segments" });
    await segments.getByRole("checkbox", { name: "Lunch regulars" }).check();
    await page.getByRole("button", { name: "Simulate", exact: true }).click();
    await page.getByText(`${outside + 7} points (programme version ${version})`).waitFor();
    expect((await reasons()).find((r) => r.startsWith("regulars-visit"))).toMatch(/7 points/);
    await check("programme-simulator-segment");
  });
});
