import { eventually } from "@regulars/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppCustomer, brandApp, campaignSystemEnv, pushTemplate, saleFor } from "../campaign-fixture.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// A marketer's loop in a real browser over the whole system: a segment built in the builder from sales posted by
// a till (its live count matching what was posted), a push template previewed with a real customer, and a
// broadcast of that template to the segment whose results page shows the messages the development provider sent.

let b: BrowserSystem;
let page: Page;
/** Customers with a sale in the last 30 days and every marketing consent; one more who never bought. */
const buyers = ["Zofia Kowalska", "Jan Wiśniewski", "Ola Nowak"];
let arranged: AppCustomer[];

const recentBuyers = {
  all: [
    { type: "orders_count" as const, window: "30d" as const, op: "gte" as const, value: 1 },
    { type: "consent_granted" as const, channel: "push" as const, purpose: "marketing" as const },
  ],
};

beforeAll(async () => {
  // Scheduler passes every second, so a broadcast goes out moments after its time.
  b = await startBrowserSystem({ JOBS_INTERVAL_MS: campaignSystemEnv.JOBS_INTERVAL_MS, RATE_LIMIT_ADMIN: "off" });
  const { system, tenant } = b;
  const app = brandApp(system, tenant);
  // One tier everybody reaches, so the preview's sample names it as the programme does ("Regular", not "regular").
  await system.client(tenant.apiKeys.admin).programme.tiers.set.mutate({
    tiers: { basis: "points_earned", window: "lifetime", levels: [{ id: "regular", name: "Regular", threshold: 0 }] },
  } as never);
  const run = Date.now();
  arranged = [];
  for (const [i, name] of buyers.entries()) {
    const customer = await app.member(`apple-buyer-${i}-${run}`, { name });
    await saleFor(system, tenant, customer.id, [{ sku: "BURGER", unitPrice: 1_500 + i * 100 }]);
    arranged.push(customer);
  }
  await app.member(`apple-never-${run}`, { name: "Piotr Zieliński" });

  // The builder counts in ClickHouse, which the writers fill a little after the ledger processed the sales.
  const admin = system.client(tenant.apiKeys.admin);
  await eventually(
    "the buyers in the analytics facts",
    async () => {
      const preview = await admin.segments.preview.mutate({ definition: recentBuyers, sampleSize: 1 });
      return preview.members === buyers.length ? preview : undefined;
    },
    90_000,
    1_000,
  );
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 240_000);

afterAll(async () => {
  await b?.dispose();
});

const menu = () => page.getByRole("navigation", { name: "Main menu" });

/** Presses Tab until the focused element is the button named `name`: the keyboard's way there, not a click. */
async function tabTo(name: string, maxPresses = 60) {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.tagName === "BUTTON" ? el.textContent?.trim() : null;
    });
    if (focused === name) return;
  }
  throw new Error(`${name} was not reached with Tab`);
}

describe("segments and campaigns", () => {
  let segmentName: string;

  it("builds a segment with the keyboard, its live count matching the buyers, and saves it", {
    timeout: 180_000,
  }, async () => {
    await menu().getByRole("link", { name: "Segments" }).click();
    await page.getByRole("heading", { level: 1, name: "Segments" }).waitFor();
    await screenshot(page, "admin", "segments-list");
    await expectAccessible(page);

    await page.getByRole("link", { name: "New segment" }).click();
    await page.getByRole("heading", { level: 1, name: "New segment" }).waitFor();
    segmentName = `Recent buyers ${Date.now()}`;
    await page.getByLabel("Name").fill(segmentName);
    // The builder starts with "at least 1 order in the last 30 days", which every arranged buyer has.
    await expect
      .poll(() => page.getByTestId("live-count").textContent(), { timeout: 30_000 })
      .toBe(`${buyers.length} matching customers`);

    // A second condition with the keyboard only: Tab to the button, Enter, and the new row's kind takes focus;
    // typing picks an option of the focused select.
    await page.getByLabel("Name").focus();
    await tabTo("Add condition");
    await page.keyboard.press("Enter");
    const kinds = page.getByLabel("Condition", { exact: true });
    await expect.poll(() => kinds.count()).toBe(2);
    await expect.poll(() => kinds.nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("Consent");
    await expect.poll(() => kinds.nth(1).inputValue()).toBe("consent_granted");
    await expect.poll(() => page.getByLabel("Channel").inputValue()).toBe("push");

    // Push marketing consent is every buyer's: still the three, counted again after the change.
    await expect
      .poll(() => page.getByTestId("live-count").textContent(), { timeout: 30_000 })
      .toBe(`${buyers.length} matching customers`);
    await expect
      .poll(() =>
        page
          .getByRole("table", { name: /sample/i })
          .locator("tbody tr")
          .count(),
      )
      .toBe(buyers.length);
    // Each sampled customer links to their page; tiers read by their names.
    const sample = page.getByRole("table", { name: /sample/i });
    for (const customer of arranged) await sample.getByRole("link", { name: customer.id }).waitFor();
    await expect
      .poll(() => sample.locator("tbody tr td:nth-child(2)").allTextContents())
      .toEqual(buyers.map(() => "Regular"));
    await screenshot(page, "admin", "segment-builder");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name: segmentName }).waitFor();
    await expect.poll(() => page.getByTestId("member-count").textContent()).toBe(String(buyers.length));
    const members = page.getByRole("table", { name: /customers in this segment/i }).locator("tbody tr");
    await expect.poll(() => members.count()).toBe(buyers.length);
    for (const customer of arranged) await members.getByRole("link", { name: customer.id }).waitFor();
    await page.getByRole("button", { name: "Refresh now" }).click();
    await page.getByText(`Refreshed: ${buyers.length} members, 0 entered, 0 left.`).waitFor();
    await screenshot(page, "admin", "segment-detail");
    await expectAccessible(page);
  });

  it("refuses a segment without a name at the field", { timeout: 60_000 }, async () => {
    await menu().getByRole("link", { name: "Segments" }).click();
    await page.getByRole("link", { name: "New segment" }).click();
    await page.getByLabel("Name").fill("   ");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").filter({ hasText: "must not be empty" }).waitFor();
    expect(await page.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
  });

  it("lets an analyst read segments and count a SQL segment, without the builder or a refresh", {
    timeout: 90_000,
  }, async () => {
    const analyst = await b.newPage();
    await signIn(analyst, b.staff.analyst);
    await analyst.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Segments" }).click();
    await analyst.getByRole("link", { name: segmentName }).click();
    await analyst.getByRole("heading", { level: 1, name: segmentName }).waitFor();
    await expect.poll(() => analyst.getByTestId("member-count").textContent()).toBe(String(buyers.length));
    // A definition segment is the admins' to change, and a refresh needs an admin key.
    expect(await analyst.getByRole("button", { name: "Refresh now" }).count()).toBe(0);
    expect(await analyst.getByRole("link", { name: "Edit" }).count()).toBe(0);

    await analyst.getByRole("link", { name: "← All segments" }).click();
    await analyst.getByRole("link", { name: "New segment" }).click();
    expect(await analyst.getByRole("radio", { name: "Builder" }).count()).toBe(0);
    // The query it starts with: every customer with a sale, which are the buyers.
    await expect.poll(() => analyst.getByLabel("SQL query").inputValue()).toContain("FROM transactions");
    await expect
      .poll(() => analyst.getByTestId("live-count").textContent(), { timeout: 30_000 })
      .toBe(`${buyers.length} matching customers`);
    // An analyst may not open customers' pages: the sample's ids are no links.
    expect(
      await analyst
        .getByRole("table", { name: /sample/i })
        .getByRole("link")
        .count(),
    ).toBe(0);
    // One customer is one, not "1 matching customers".
    await analyst
      .getByLabel("SQL query")
      .fill("SELECT DISTINCT customer_id FROM transactions ORDER BY customer_id LIMIT 1");
    await expect
      .poll(() => analyst.getByTestId("live-count").textContent(), { timeout: 30_000 })
      .toBe("1 matching customer");
    await screenshot(analyst, "admin", "segment-sql-analyst");
    await expectAccessible(analyst);
    await analyst.context().close();
  });

  let templateName: string;

  it("creates a push template and previews it with a real customer", { timeout: 120_000 }, async () => {
    await menu().getByRole("link", { name: "Campaigns" }).click();
    await page.getByRole("heading", { level: 1, name: "Campaigns" }).waitFor();
    await page.getByRole("link", { name: "Message templates" }).click();
    await page.getByRole("link", { name: "New template" }).click();
    templateName = `Come back soon ${Date.now()}`;
    await page.getByLabel("Name").fill(templateName);
    await page.getByLabel("Language", { exact: true }).fill("en");
    await page.getByLabel("Title").fill("Hello {{ customer.first_name }}");
    await page.getByLabel("Text").fill("Your table is waiting, {{ customer.first_name }}.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name: `Template: ${templateName}` }).waitFor();

    await page.getByLabel("Find a customer").fill("Zofia");
    await page.getByRole("button", { name: /Zofia Kowalska/ }).click();
    const rendered = page.getByTestId("rendered");
    await expect.poll(() => rendered.textContent(), { timeout: 20_000 }).toContain("Hello Zofia");
    expect(await rendered.textContent()).toContain("Your table is waiting, Zofia.");
    await screenshot(page, "admin", "template-preview");
    await expectAccessible(page);
  });

  it("saves a campaign edited in the builder with its control group's share as the API set it", {
    timeout: 120_000,
  }, async () => {
    // 12.5 % and 0.4 %: shares the API takes, which a field of whole percents would round (0.4 % to none).
    const admin = b.system.client(b.tenant.apiKeys.admin);
    const template = await pushTemplate(b.system, b.tenant, "Welcome", "Welcome to the club");
    for (const share of [0.125, 0.004]) {
      const created = await admin.campaigns.create.mutate({
        name: `Welcome ${share}`,
        status: "draft",
        audience: { kind: "none" },
        trigger: { type: "registered" },
        actions: [{ type: "send_message", channel: "push", templateId: template.id }],
        controlGroup: { share },
      });
      await page.goto(`/app/campaigns/${created.id}/edit`);
      await page.getByLabel("Name").fill(`Welcome ${share}, renamed`);
      await page.getByRole("button", { name: "Save a new version" }).click();
      await page.getByRole("heading", { level: 1, name: `Welcome ${share}, renamed` }).waitFor();
      const saved = await admin.campaigns.get.query({ id: created.id });
      expect(saved.definition.controlGroup).toEqual({ share });
    }
  });

  it("broadcasts the template to the segment and shows the messages sent on the results page", {
    timeout: 240_000,
  }, async () => {
    await menu().getByRole("link", { name: "Campaigns" }).click();
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "New campaign" }).waitFor();
    const campaignName = `Recent buyers push ${Date.now()}`;
    await page.getByLabel("Name").fill(campaignName);
    await expect.poll(() => page.getByLabel("Trigger").inputValue()).toBe("broadcast");
    // Once, a few seconds from now as the tenant's clock on the wall shows it: the input speaks the tenant's zone,
    // not the browser's (UTC here; an hour off Warsaw's, so read in the browser's zone it would not go out in time).
    const { timezone } = await b.system.db.tenant.findUniqueOrThrow({ where: { id: b.tenant.tenantId } });
    const wall = new Intl.DateTimeFormat("sv-SE", {
      timeZone: timezone,
      dateStyle: "short",
      timeStyle: "medium",
    }).format(new Date(Date.now() + 20_000));
    const at = wall.replace(" ", "T");
    await page.getByLabel("At", { exact: true }).fill(at);
    await page.getByLabel("Audience").selectOption("segment");
    await page.getByLabel("Segment", { exact: true }).selectOption({ label: segmentName });
    await page.getByLabel("Template", { exact: true }).selectOption({ label: templateName });
    await page.getByLabel("Control group (%)").fill("0");
    await screenshot(page, "admin", "campaign-builder");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Save as draft" }).click();
    await page.getByRole("heading", { level: 1, name: campaignName }).waitFor();
    await page.getByText("Draft", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.getByText("Scheduled", { exact: true }).waitFor();
    const url = page.url();

    // The development provider records each push as sent; the results page counts them from the events.
    await eventually(
      "three messages sent on the results page",
      async () => {
        await page.goto(url);
        const sent = await page.getByTestId("messages-sent").textContent({ timeout: 10_000 });
        return sent === String(buyers.length) ? sent : undefined;
      },
      150_000,
      3_000,
    );
    expect(await page.getByTestId("reach-entered").textContent()).toBe(String(buyers.length));
    await page.getByText("Active", { exact: true }).waitFor();
    await screenshot(page, "admin", "campaign-results");
    await expectAccessible(page);

    await menu().getByRole("link", { name: "Campaigns" }).click();
    await page
      .getByRole("table", { name: /campaigns/i })
      .getByRole("link", { name: campaignName })
      .waitFor();
    await screenshot(page, "admin", "campaigns-list");
    await expectAccessible(page);
  });
  it("pages through more campaigns than a page holds, down to the oldest", { timeout: 180_000 }, async () => {
    const admin = b.system.client(b.tenant.apiKeys.admin);
    const template = await pushTemplate(b.system, b.tenant, "Paging", "One campaign among many");
    const run = Date.now();
    const draft = (i: number) =>
      admin.campaigns.create.mutate({
        name: `Paging ${run} #${i}`,
        status: "draft",
        audience: { kind: "none" },
        trigger: { type: "registered" },
        actions: [{ type: "send_message", channel: "push", templateId: template.id }],
      });
    // The oldest on its own first, then more than the API's largest page (100) after it, ten to a batch.
    await draft(0);
    for (let i = 1; i <= 100; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => draft(i + j)));

    await page.goto("/app/campaigns");
    const table = page.getByRole("table", { name: /campaigns/i });
    await table.getByRole("link", { name: `Paging ${run} #100`, exact: true }).waitFor();
    const oldest = table.getByRole("link", { name: `Paging ${run} #0`, exact: true });
    expect(await oldest.count()).toBe(0);
    const more = page.getByRole("button", { name: "Older campaigns" });
    for (let pages = 1; (await more.count()) > 0; pages++) {
      expect(pages, "pages asked for").toBeLessThan(5);
      const rows = await table.getByRole("row").count();
      await more.click();
      await expect.poll(() => table.getByRole("row").count()).toBeGreaterThan(rows);
    }
    await oldest.waitFor({ timeout: 5_000 });
    await expectAccessible(page);
  });
});
