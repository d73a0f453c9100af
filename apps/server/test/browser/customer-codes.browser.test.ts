import { asAdminView, type RegularsClient } from "@regulars/api-client";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line, postSale } from "../checkout-flow.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// The codes the system stores (ledger kinds, coupon statuses, channels, identity kinds) read as words on a
// customer's page in English and Polish, and a campaign step saved without a template asks for one.

let b: BrowserSystem;
const customer = { phone: "+48600900301", name: "Celina Wójcik" };
let customerId: string;
/** What staff must never read on the page: the stored codes themselves. */
const rawCodes = ["earn", "bonus", "redeem", "expire", "adjust", "reverse", "release", "transfer_in", "transfer_out"];

beforeAll(async () => {
  b = await startBrowserSystem();
  const { system, tenant } = b;
  const admin = system.client(tenant.apiKeys.admin);
  // A first sale at a till creates the customer there (`pos`) and earns their first points.
  await postSale(system, tenant, customer.phone, [line("BURGER", 4_200)], {
    occurredAt: new Date().toISOString(),
    locationId: "store-north",
    channel: "pos",
  });
  customerId = asAdminView(await admin.customers.get.query({ phone: customer.phone })).id;
  await admin.customers.updateProfile.mutate({ customerId, name: customer.name });
  const coupon = await admin.coupons.create.mutate({
    name: "Free fries",
    benefit: { kind: "fixed_off", amount: 300 },
    codes: { kind: "unique", pattern: "FRIES-XXXXX" },
  });
  await admin.coupons.issue.mutate({ id: coupon.id, customerId, issueKey: "customer-codes" });
  await spendAtCheckout(admin, b.system.client(tenant.apiKeys.pos));
}, 180_000);

/**
 * A checkout at the till (so the till stays the customer's preferred channel) that spends points and a coupon issued
 * into the wallet, whose campaign stays active: the ledger names the hold as the redemption's reason.
 */
async function spendAtCheckout(admin: RegularsClient, till: RegularsClient) {
  await admin.programme.redemption.set.mutate({ redemption: { points: 10, value: 50 } });
  await admin.customers.adjust.mutate({ customerId, unit: "points", amount: 100, reason: "Welcome gift" });
  const burger = await admin.coupons.create.mutate({
    name: "Burger deal",
    benefit: { kind: "fixed_off", amount: 200 },
    codes: { kind: "unique", pattern: "BURGER-XXXXX" },
  });
  const { code } = await admin.coupons.issue.mutate({ id: burger.id, customerId, issueKey: "spent" });
  const basket = {
    locationId: "store-north",
    channel: "pos" as const,
    currency: "EUR",
    lines: [line("BURGER", 4_200)],
  };
  const hold = await till.checkout.hold.mutate({
    customer: { phone: customer.phone },
    basket,
    couponCodes: [code],
    points: 20,
  });
  const lines = basket.lines.map((l, i) => ({ ...l, discount: hold.quote.lines[i]!.discount }));
  await postSale(b.system, b.tenant, customer.phone, lines, {
    occurredAt: new Date().toISOString(),
    locationId: "store-north",
    channel: "pos",
    holdId: hold.holdId,
    couponCodes: [code],
  });
}

afterAll(async () => {
  await b?.dispose();
});

/** A fresh page that waits longer than the fixture's default: other test files may share the machine. */
async function openPage(): Promise<Page> {
  const page = await b.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 250 });
const fact = (page: Page, term: string) => page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd");
/** The texts of one column of a table's body rows. */
const column = (page: Page, table: RegExp, index: number) =>
  page.getByRole("table", { name: table }).locator(`tbody tr td:nth-child(${index})`).allTextContents();

describe("a customer's page", () => {
  it("names movements, coupon statuses, channels and identities in English", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await page.goto(`/app/customers/${customerId}`);
    await page.getByRole("heading", { level: 1, name: customer.name }).waitFor();

    await poll(() => column(page, /Ledger movements/, 2)).toContain("Earned");
    expect((await column(page, /Ledger movements/, 2)).filter((kind) => rawCodes.includes(kind))).toEqual([]);
    const wallet = page.getByRole("table", { name: /Coupons issued/ });
    await wallet.getByRole("columnheader", { name: "Status", exact: true }).waitFor();
    expect(await wallet.getByRole("columnheader", { name: "Campaign" }).count()).toBe(0);
    // The spent coupon is used, though its campaign is active; the other one is still to use.
    await poll(() => column(page, /Coupons issued/, 5)).toEqual(["Used", "Active"]);
    // The checkout's redemption reads as such, its hold id kept for a tooltip.
    const redeemed = page
      .getByRole("table", { name: /Ledger movements/ })
      .getByRole("row")
      .filter({ hasText: "Redeemed" });
    await poll(() => redeemed.locator("td").nth(3).textContent()).toBe("Checkout");
    expect(await redeemed.locator("td").nth(3).locator("span").getAttribute("title")).toMatch(/^hld_/);
    await poll(() => fact(page, "Joined through").textContent()).toBe("Till (POS)");
    await poll(() => fact(page, "Identities").textContent()).toBe(`Phone: ${customer.phone}`);
    // The behaviour profile follows the sale a little later.
    await poll(() => fact(page, "Preferred channel").textContent()).toBe("Till (POS)");
    await expectAccessible(page);
    await screenshot(page, "admin", "customer-codes");
    await page.context().close();
  });

  it("names them in Polish when Polish is chosen", { timeout: 120_000 }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await page.getByLabel("Language").selectOption("pl");
    await page.goto(`/app/customers/${customerId}`);
    await page.getByRole("heading", { level: 1, name: customer.name }).waitFor();

    await poll(() => column(page, /Operacje w księdze/, 2)).toContain("Naliczenie");
    const wallet = page.getByRole("table", { name: /Kupony wydane/ });
    await wallet.getByRole("columnheader", { name: "Status", exact: true }).waitFor();
    expect(await wallet.getByRole("columnheader", { name: "Kampania" }).count()).toBe(0);
    await poll(() => column(page, /Kupony wydane/, 5)).toEqual(["Wykorzystany", "Aktywny"]);
    await poll(() => column(page, /Operacje w księdze/, 4)).toContain("Kasa");
    await poll(() => fact(page, "Dołączył przez").textContent()).toBe("Kasa (POS)");
    await poll(() => fact(page, "Tożsamości").textContent()).toBe(`Telefon: ${customer.phone}`);
    await poll(() => fact(page, "Preferowany kanał").textContent()).toBe("Kasa (POS)");
    await screenshot(page, "admin", "pl-customer-codes");
    await page.context().close();
  });
});

describe("the campaign builder", () => {
  it("asks for a template when a message step is saved without one, in English and Polish", {
    timeout: 120_000,
  }, async () => {
    const page = await openPage();
    await signIn(page, b.staff.owner);
    await page.goto("/app/campaigns/new");
    await page.getByRole("heading", { level: 1, name: "New campaign" }).waitFor();
    await page.getByLabel("Name").fill("No template yet");
    await page.getByRole("button", { name: "Save as draft" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /^Choose a template$/ })
      .waitFor();
    expect(await page.getByText("printable characters").count()).toBe(0);
    await screenshot(page, "admin", "campaign-save-no-template");

    await page.getByLabel("Language").selectOption("pl");
    await page
      .getByRole("alert")
      .filter({ hasText: /^Wybierz szablon$/ })
      .waitFor();
    await page.context().close();
  });
});
