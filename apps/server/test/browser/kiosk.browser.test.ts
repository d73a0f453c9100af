import { asAdminView } from "@regulars/api-client";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSystem,
  enrolAtTill,
  expectAccessible,
  freePort,
  holdStaffCorner,
  screenshot,
  signInByPhone,
  startBrowserSystem,
} from "./browser-fixture.ts";

// The kiosk app in a real browser at a portrait kiosk's size: set up, identify, order, spend a wallet coupon and
// points, pay through the gateway, and read the receipt the ledger agrees with.

const portrait = { width: 1080, height: 1920 };
const phone = "+48600900001";
const store = "store-001";

describe("the kiosk app in a real browser", () => {
  let web: BrowserSystem;
  let friesCoupon: string;
  let elsewhereCoupon: string;
  let customerId: string;
  const admin = () => web.system.client(web.tenant.apiKeys.admin);
  const kioskLink = (query = "") => `/kiosk/${query}#key=${web.tenant.apiKeys.kiosk}&location=${store}`;

  beforeAll(async () => {
    // The kiosk learns the gateway's address from /kiosk/config.json, which names the configured port: a fixed
    // free one, not the random port (0) test systems listen on.
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await admin().programme.redemption.set.mutate({
      redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 },
    });
    await admin().programme.tiers.set.mutate({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 200 },
          { id: "gold", name: "Gold", threshold: 500 },
        ],
      },
    });
    await admin().programme.rewards.upsert.mutate({
      reward: {
        id: "free-sundae",
        name: "Free sundae",
        points: 1000,
        benefit: { kind: "free_item", match: { skus: ["SUNDAE"] } },
      },
    });
    // A first visit at a till enrols the customer with 300 points (stamped now: the programme above is in force).
    customerId = await enrolAtTill(web, phone, store, "KIOSK-SETUP");
    await admin().customers.updateProfile.mutate({ customerId, name: "Anna Nowak" });
    const fries = await admin().coupons.create.mutate({
      name: "Half-price fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES-L"] } },
      codes: { kind: "unique", pattern: "FRIES-XXXXX" },
    });
    friesCoupon = (await admin().coupons.issue.mutate({ id: fries.id, customerId, issueKey: "welcome" })).code;
    const elsewhere = await admin().coupons.create.mutate({
      name: "Airport store treat",
      benefit: { kind: "fixed_off", amount: 300 },
      conditions: { locations: ["store-airport"] },
      codes: { kind: "unique", pattern: "AIR-XXXXX" },
    });
    elsewhereCoupon = (await admin().coupons.issue.mutate({ id: elsewhere.id, customerId, issueKey: "airport" })).code;
  }, 240_000);
  afterAll(() => web?.dispose());

  const startScreen = (page: Page) => page.getByRole("heading", { name: "Welcome to Demo Burgers" });

  it("is set up by pasting its key, switches to Polish, and is reset by staff", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto("/kiosk/");
    await page.getByRole("heading", { name: "Set up this kiosk" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "setup");
    await page.getByLabel("Kiosk API key").fill(web.tenant.apiKeys.pos);
    await page.getByLabel("Location id").fill(store);
    await page.getByRole("button", { name: "Save and start" }).click();
    await page.getByText("This is a pos key; a kiosk needs a key with the kiosk role.").waitFor();
    await page.getByLabel("Kiosk API key").fill(web.tenant.apiKeys.kiosk);
    await page.getByRole("button", { name: "Save and start" }).click();
    await startScreen(page).waitFor();

    await page.getByRole("button", { name: "Polski" }).click();
    await page.getByRole("heading", { name: "Witamy w Demo Burgers" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("pl");
    await page.getByRole("button", { name: "English" }).click();

    await page.reload();
    await startScreen(page).waitFor();
    // Nothing on the start screen lets a customer take the kiosk away; staff hold a corner, then prove the key.
    expect(await page.getByRole("button", { name: /settings|reset/i }).count()).toBe(0);
    const settings = await holdStaffCorner(page);
    const reset = settings.getByRole("button", { name: "Reset device" });
    expect(await reset.isDisabled()).toBe(true);
    await settings.getByLabel("Kiosk key prefix").fill("rk_kiosk_");
    expect(await reset.isDisabled()).toBe(true);
    await settings.getByLabel("Kiosk key prefix").fill(web.tenant.apiKeys.kiosk.slice(0, "rk_kiosk_".length + 3));
    expect(await reset.isDisabled()).toBe(true);
    await settings.getByLabel("Kiosk key prefix").fill(web.tenant.apiKeys.kiosk.slice(0, "rk_kiosk_".length + 4));
    await expectAccessible(page);
    await screenshot(page, "kiosk", "device-settings");
    await reset.click();
    await page.getByRole("heading", { name: "Set up this kiosk" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("regulars.kiosk.device"))).toBeNull();
    await page.context().close();
  });

  it("identifies a member by phone, applies their wallet coupon and points, and pays", {
    timeout: 180_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await startScreen(page).waitFor();
    // The key was kept and the fragment cleared, so it is neither on screen nor in the history.
    expect(new URL(page.url()).hash).toBe("");
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem("regulars.kiosk.device")!))).toEqual({
      apiKey: web.tenant.apiKeys.kiosk,
      locationId: store,
    });
    await expectAccessible(page);
    await screenshot(page, "kiosk", "start");

    await signInByPhone(page, "+48 600 900 000");
    await page.getByRole("alert").getByText("We could not find you.").waitFor();
    await page.getByLabel("Phone number", { exact: true }).fill("+48 600 900 001");
    await expectAccessible(page);
    await screenshot(page, "kiosk", "identify");
    await page.getByRole("button", { name: "Continue", exact: true }).click();

    const customer = page.getByRole("region", { name: "Customer" });
    await customer.getByText("Hi, Anna!").waitFor();
    await customer.getByText("Tier: Silver").waitFor();
    await customer.getByText("Points: 300").waitFor();
    await page.getByRole("heading", { name: "Menu" }).waitFor();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Sides", exact: true }).click();
    await page.getByRole("button", { name: /^Add Fries large/ }).click();
    await page.getByRole("button", { name: "One more Fries large" }).click();
    await page.getByRole("button", { name: "One less Fries large" }).click();
    await page.getByText("Subtotal: €19.30").waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "menu");

    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByRole("heading", { name: "Your order", level: 1 }).waitFor();
    const coupons = page.getByRole("region", { name: "Your coupons" });
    await coupons.getByRole("button", { name: "Use Half-price fries" }).waitFor();
    // The airport coupon is in the wallet too, but not for this store: it says why, and cannot be chosen.
    await coupons.getByText("Not available: not valid at this restaurant.").waitFor();
    expect(await coupons.getByRole("button", { name: "Use Airport store treat" }).count()).toBe(0);
    await page
      .getByRole("region", { name: "Rewards" })
      .getByText(/^Not available: /)
      .waitFor();
    const points = page.getByRole("region", { name: "Points" });
    await points.getByText("Points you can spend: 300").waitFor();
    await points.getByText("Takes €10.00 off").waitFor();

    await coupons.getByRole("button", { name: "Use Half-price fries" }).click();
    await coupons.getByRole("button", { name: "Remove Half-price fries" }).waitFor();
    await points.getByRole("button", { name: "Use Spend 200 points" }).click();
    await points.getByRole("button", { name: "Remove Spend 200 points" }).waitFor();
    // €19.30 − €1.75 (half the fries) − €10.00 (200 points, the most one order takes).
    const pay = page.getByRole("button", { name: "Pay €7.55" });
    await pay.waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "quote");

    await pay.click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 90_000 });
    const receipt = page.getByRole("region", { name: "Your points, Anna" });
    // 7 points on the €7.55 actually paid; 300 − 200 + 7.
    await expect.poll(() => receipt.getByRole("definition").allTextContents()).toEqual(["+7", "−200", "107"]);
    await receipt.getByText("Coupons used: Half-price fries").waitFor();
    await receipt.getByText("Your tier: Silver. 193 more points to earn for Gold.").waitFor();
    await receipt.getByText("Next reward: Free sundae, 893 points to go.").waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "receipt");

    const ledger = await admin().customers.ledger.query({ customerId, limit: 10 });
    const pointMoves = ledger.items.filter((m) => m.unit === "points").map((m) => [m.kind, m.amount]);
    expect(pointMoves).toEqual(
      expect.arrayContaining([
        ["redeem", -200],
        ["earn", 7],
        ["earn", 300],
      ]),
    );
    expect(asAdminView(await admin().customers.get.query({ id: customerId })).points.balance).toBe(107);
    const after = await web.system.client(web.tenant.apiKeys.kiosk).checkout.quote.query({
      customer: { id: customerId },
      basket: {
        locationId: store,
        channel: "kiosk",
        currency: "EUR",
        lines: [{ sku: "FRIES-L", name: "Fries large", quantity: 1, unitPrice: 350, discount: 0, tags: [] }],
      },
      couponCodes: [friesCoupon],
    });
    expect(after.coupons.find((c) => c.code === friesCoupon)?.refusal?.code).toBe("code_used_up");
    expect(after.coupons.find((c) => c.code === elsewhereCoupon)?.refusal?.code).toBe("wrong_location");

    await page.getByRole("button", { name: "Done" }).click();
    await startScreen(page).waitFor();
    await page.context().close();
  });

  it("names what a hold refused when another till spent the points first", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Veggie burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    const points = page.getByRole("region", { name: "Points" });
    await points.getByRole("button", { name: /^Use Spend \d+ points$/ }).click();
    await points.getByRole("button", { name: /^Remove Spend \d+ points$/ }).waitFor();

    // Meanwhile a till reserves every point the customer may spend.
    const basket = {
      locationId: store,
      channel: "pos",
      currency: "EUR",
      lines: [{ sku: "CATERING", name: "Catering", quantity: 1, unitPrice: 30_000, discount: 0 }],
    };
    const quoted = await web.system.post("/v1/checkout/quote", web.tenant.apiKeys.pos, { customer: { phone }, basket });
    const all = (quoted.body as { points: { maxUsable: number } }).points.maxUsable;
    const till = await web.system.post("/v1/checkout/holds", web.tenant.apiKeys.pos, {
      customer: { phone },
      basket,
      points: all,
    });
    expect(till.status).toBe(201);

    await page.getByRole("button", { name: /^Pay / }).click();
    const refused = page.getByRole("alert");
    await refused.getByText("Some of what you chose can no longer be used:").waitFor();
    await refused.getByText("Points: not enough points").waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "hold-refused");
    await page.getByRole("button", { name: "Cancel order" }).click();
    await startScreen(page).waitFor();
    const voided = await fetch(
      `${web.system.gatewayUrl}/v1/checkout/holds/${(till.body as { holdId: string }).holdId}`,
      {
        method: "DELETE",
        headers: { authorization: `Bearer ${web.tenant.apiKeys.pos}` },
      },
    );
    expect(voided.ok).toBe(true);
    await page.context().close();
  });

  it("identifies a member by the app's QR token typed in, with the keyboard only", { timeout: 180_000 }, async () => {
    const minted = await web.system.post("/v1/identity-tokens", web.tenant.apiKeys.app, { customer: { phone } });
    expect(minted.status).toBe(201);
    const token = (minted.body as { token: string }).token;
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await startScreen(page).waitFor();

    await tabTo(page, "Sign in to collect points");
    await page.keyboard.press("Enter");
    // The code field has the focus: the app's QR code is the first way offered.
    await page.getByLabel("Code from the app").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await page.getByLabel("Code from the app").getAttribute("id"),
    );
    await page.keyboard.type(token);
    await page.keyboard.press("Enter");
    await page.getByRole("region", { name: "Customer" }).getByText("Hi, Anna!").waitFor();
    await page.getByRole("heading", { name: "Menu" }).waitFor();

    // A token identifies once: the same code again is refused with the reason.
    await tabTo(page, "Cancel order");
    await page.keyboard.press("Enter");
    await tabTo(page, "Sign in to collect points");
    await page.keyboard.press("Enter");
    await page.getByLabel("Code from the app").waitFor();
    await page.keyboard.type(token);
    await page.keyboard.press("Enter");
    await page.getByRole("alert").getByText("This code was used already.").waitFor();
    await page.context().close();
  });

  it("clears the customer and the basket when nobody touches it", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink("?idle=5"));
    await signInByPhone(page, phone);
    const customer = page.getByRole("region", { name: "Customer" });
    await customer.getByText("Hi, Anna!").waitFor();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByText("Subtotal: €7.90").waitFor();

    const question = page.getByRole("alertdialog", { name: "Are you still there?" });
    await question.waitFor();
    await expectAccessible(page);
    await screenshot(page, "kiosk", "idle");
    await question.getByRole("button", { name: "I'm still here" }).click();
    await customer.getByText("Hi, Anna!").waitFor();
    await page.getByText("Subtotal: €7.90").waitFor();

    // Unanswered, the question clears the order after its 10 seconds.
    await question.waitFor();
    await startScreen(page).waitFor({ timeout: 20_000 });
    expect(await page.getByText("Hi, Anna!").count()).toBe(0);
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByText("Ordering as a guest").waitFor();
    await page.getByText("Tap a product to add it.").waitFor();
    await page.context().close();
  });
});

/** Presses Tab until the focused element is the one named, as a keyboard user would. */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? "";
    });
    if (focused === name) return;
  }
  throw new Error(`"${name}" never got the focus by Tab`);
}
