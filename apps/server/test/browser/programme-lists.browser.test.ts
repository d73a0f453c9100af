import { mkdir } from "node:fs/promises";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The lists of an earning rule and of a coupon campaign: tiers and channels are ticked from what exists (a typed
// "silvr" once saved a tier no member reaches), SKUs and locations are tags, one name each. What the form shows
// is what the server stores, read back through the API.

let b: BrowserSystem;
let page: Page;
let segmentId: string;

beforeAll(async () => {
  b = await startBrowserSystem();
  await b.system.client(b.tenant.apiKeys.admin).programme.tiers.set.mutate({
    tiers: {
      basis: "points_earned",
      window: "lifetime",
      levels: [
        { id: "silver", name: "Silver", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  } as never);
  // Who the segment holds does not matter here: the form offers it by name and the rule stores its id.
  const { segment } = await b.system.client(b.tenant.apiKeys.admin).segments.create.mutate({
    name: "Regulars",
    definition: { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] },
  });
  segmentId = segment.id;
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 180_000);

afterAll(async () => {
  await b?.dispose();
});

const admin = () => b.system.client(b.tenant.apiKeys.admin);
const tagsOf = async (scope: Locator, name: string) => {
  const list = scope.getByRole("list", { name });
  await list.waitFor();
  return list.getByRole("listitem").allTextContents();
};

describe("list fields of the programme and coupon forms", () => {
  it("an earning rule's tiers and channels are ticked and its SKUs and locations typed as tags", {
    timeout: 120_000,
  }, async () => {
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Programme" }).click();
    await page.getByRole("button", { name: "Add a rule" }).click();
    const form = page.getByRole("form", { name: "Earning rule" });
    await form.getByLabel("Rule id").fill("gold-drinks");
    await form.getByLabel("Points per unit").fill("2");
    await form.getByLabel("Unit (amount)").fill("100");
    // A pasted list becomes tags up to its last comma; Enter ends the last one without saving the form.
    const skus = form.getByRole("textbox", { name: "SKUs" });
    await skus.fill("COLA-M, FANTA-M");
    await skus.press("Enter");
    await form.getByRole("button", { name: "Remove FANTA-M" }).waitFor({ timeout: 5_000 });
    const locations = form.getByRole("textbox", { name: "Locations" });
    await locations.fill("store-017");
    await locations.press("Enter");
    await form.getByRole("group", { name: "Channels" }).getByRole("checkbox", { name: "Till (POS)" }).check();
    const tiers = form.getByRole("group", { name: "Tiers" });
    await tiers.getByRole("checkbox", { name: "Gold" }).check();
    expect(await tiers.getByRole("checkbox", { name: "Silver" }).isChecked()).toBe(false);
    await form.getByRole("group", { name: "Segments" }).getByRole("checkbox", { name: "Regulars" }).check();
    await expectAccessible(page);
    await mkdir("/tmp/fix-admin-lists", { recursive: true });
    await form.screenshot({ path: "/tmp/fix-admin-lists/rule-form.png" });
    await screenshot(page, "admin", "programme-rule-lists");

    await form.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/^Saved: version \d+ is in force\./).waitFor();
    const { config } = await admin().programme.get.query();
    expect(config.rules.find((r) => r.id === "gold-drinks")).toMatchObject({
      channels: ["pos"],
      locations: ["store-017"],
      tiers: ["gold"],
      segments: [segmentId],
      match: { skus: ["COLA-M", "FANTA-M"], categories: [], tags: [] },
    });

    // Opened again, the form shows the saved lists as they were chosen.
    await page.getByRole("button", { name: "Edit rule gold-drinks" }).click();
    expect(await tagsOf(form, "SKUs")).toEqual(["COLA-M×", "FANTA-M×"]);
    expect(await tagsOf(form, "Locations")).toEqual(["store-017×"]);
    expect(await form.getByRole("checkbox", { name: "Gold" }).isChecked()).toBe(true);
    expect(await form.getByRole("checkbox", { name: "Till (POS)" }).isChecked()).toBe(true);
    expect(await form.getByRole("checkbox", { name: "Kiosk" }).isChecked()).toBe(false);
    expect(await form.getByRole("checkbox", { name: "Regulars" }).isChecked()).toBe(true);

    // Saved again with another field changed, the rule still pays only the segment's members, and the list says so.
    await form.getByLabel("Points per unit").fill("3");
    await form.getByRole("button", { name: "Save", exact: true }).click();
    await form.waitFor({ state: "detached" });
    const again = (await admin().programme.get.query()).config.rules.find((r) => r.id === "gold-drinks");
    expect(again).toMatchObject({ pointsPerUnit: 3, segments: [segmentId] });
    const row = page.getByRole("table", { name: /Earning rules/ }).getByRole("row", { name: /gold-drinks/ });
    await row.getByRole("cell", { name: "Regulars", exact: true }).waitFor();
  });

  it("a coupon campaign's locations are tags, one id each", { timeout: 120_000 }, async () => {
    await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Coupons" }).click();
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "New coupon campaign" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Two stores");
    await page.getByLabel("Percent").fill("10");
    await page.getByLabel("Kind of codes").selectOption("imported");
    const locations = page.getByRole("textbox", { name: "Locations" });
    await locations.fill("store-001, store-017");
    await locations.press("Enter");
    // Backspace in the empty box takes the last tag back off.
    await locations.press("Backspace");
    await locations.fill("store-018");
    await locations.press("Enter");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.getByRole("heading", { level: 1, name: "Two stores" }).waitFor();
    const id = /\/coupons\/(cpn_[a-z0-9]+)/.exec(page.url())?.[1] ?? "";
    const stored = await admin().coupons.get.query({ id });
    expect(stored.config.conditions.locations).toEqual(["store-001", "store-018"]);
  });
});
