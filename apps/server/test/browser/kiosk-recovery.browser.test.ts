import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSystem,
  expectAccessible,
  freePort,
  holdStaffCorner,
  screenshot,
  signInByPhone,
  startBrowserSystem,
} from "./browser-fixture.ts";

// The kiosk after something a customer showed or typed was refused: it keeps the visit going, and the order. The
// demo programme sets no redemption, so nothing at checkout offers points that cannot be spent.

const portrait = { width: 1080, height: 1920 };
const phone = "+48600900002";
/** Enrolled by a till, which knows no name. */
const namelessPhone = "+48600900006";
const store = "store-001";

describe("the kiosk after a refused code", () => {
  let web: BrowserSystem;
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;
  const startScreen = (page: Page) => page.getByRole("heading", { name: "Welcome to Demo Burgers" });
  const mintToken = async () => {
    const minted = await web.system.post("/v1/identity-tokens", web.tenant.apiKeys.app, { customer: { phone } });
    expect(minted.status).toBe(201);
    return (minted.body as { token: string }).token;
  };

  beforeAll(async () => {
    // The kiosk learns the gateway's address from /kiosk/config.json: a fixed free port, so it can pay.
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    // A first visit at a till enrols each customer.
    const enrol = async (customerPhone: string) => {
      const externalId = `KIOSK-RECOVERY-${customerPhone}-${Date.now()}`;
      const res = await web.system.post("/v1/transactions", web.tenant.apiKeys.pos, {
        externalId,
        type: "sale",
        occurredAt: new Date().toISOString(),
        locationId: store,
        channel: "pos",
        customer: { phone: customerPhone },
        currency: "EUR",
        lines: [{ sku: "BURGER", name: "Classic burger", quantity: 1, unitPrice: 790, discount: 0 }],
        total: 790,
      });
      expect(res.status).toBe(202);
      return (await web.system.processed(web.tenant.apiKeys.admin, externalId)).customerId;
    };
    const customerId = await enrol(phone);
    await enrol(namelessPhone);
    await web.system
      .client(web.tenant.apiKeys.admin)
      .customers.updateProfile.mutate({ customerId: customerId!, name: "Ewa Kowalska" });
  }, 240_000);
  afterAll(() => web?.dispose());

  it("asks again after the API could not be reached, and leaves resetting to staff", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    // The API is down while the kiosk starts: every question about the tenant fails.
    await page.route(/\/trpc\/.*tenants\.me/, (route) => route.fulfill({ status: 502, body: "bad gateway" }));
    await page.goto(kioskLink());
    await page.getByRole("heading", { name: "This kiosk is not available right now" }).waitFor();
    const tryAgain = page.getByRole("button", { name: "Try again" });
    await tryAgain.waitFor();
    expect(await page.getByRole("button", { name: "Reset device" }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "unavailable");
    // A revoked key is staff's to fix from here too, behind the same corner and key prefix.
    const settings = await holdStaffCorner(page);
    expect(await settings.getByRole("button", { name: "Reset device" }).isDisabled()).toBe(true);
    await settings.getByRole("button", { name: "Close" }).click();

    await page.unroute(/\/trpc\/.*tenants\.me/);
    await tryAgain.click();
    await startScreen(page).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("regulars.kiosk.device"))).not.toBeNull();
    await page.context().close();
  });

  it("says too many requests when the API's rate limit refuses a sign-in", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    // As the API's limiter answers, before tRPC runs: the house body, which tRPC's client cannot read itself.
    await page.route(/\/trpc\/.*customers\.identify/, (route) =>
      route.fulfill({
        status: 429,
        headers: { "retry-after": "4" },
        contentType: "application/json",
        body: JSON.stringify({
          code: "rate_limited",
          message: "too many requests for this API key; retry in 4 s",
          requestId: "req_kiosk_limited",
        }),
      }),
    );
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page
      .getByRole("alert")
      .getByText("Too many requests. Wait a moment and try again. (ref. req_kiosk_limited)")
      .waitFor();
    expect(await page.getByText("Unable to transform").count()).toBe(0);
    await page.context().close();
  });

  it("greets the next customer in the kiosk's language, not the last one's", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await startScreen(page).waitFor();
    await page.getByRole("button", { name: "Polski" }).click();
    await page.getByRole("button", { name: "Zamów bez logowania" }).click();
    await page.getByRole("button", { name: "Anuluj zamówienie" }).click();
    await startScreen(page).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.context().close();
  });

  it("scans again after a code from the app is refused, and sends a refused code only once", {
    timeout: 180_000,
  }, async () => {
    const used = await mintToken();
    await web.system.client(web.tenant.apiKeys.kiosk).customers.identify.mutate({ token: used });
    const page = await web.newPage(portrait);
    await withFakeCamera(page);
    const identifyCalls: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("customers.identify")) identifyCalls.push(r.url());
    });
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Sign in to collect points" }).click();
    await page.getByText("Hold the QR code from the app in front of the camera.").waitFor();

    await showToCamera(page, used);
    await page.getByRole("alert").getByText("This code was used already.").waitFor();
    // Still in front of the camera, the refused code is not sent again (it would only fail again).
    await page.waitForTimeout(1500);
    expect(identifyCalls).toHaveLength(1);

    await showToCamera(page, await mintToken());
    await page.getByRole("region", { name: "Customer" }).getByText("Hi, Ewa!").waitFor({ timeout: 15_000 });
    await page.getByRole("heading", { name: "Menu" }).waitFor();
    expect(identifyCalls).toHaveLength(2);
    await page.context().close();
  });

  it("offers no points the programme will not take, and thanks a customer it knows no name of", {
    timeout: 180_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, namelessPhone);
    const customer = page.getByRole("region", { name: "Customer" });
    await customer.getByText("Hi, member!").waitFor();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();

    // Checkout prices the basket, then asks what spending points would do: that answer is what the card shows.
    const pointsPriced = page.waitForResponse(
      (r) => r.url().includes("checkout.quote") && decodeURIComponent(r.url()).includes('"points":1'),
    );
    await page.getByRole("button", { name: "Checkout" }).click();
    const pay = page.getByRole("button", { name: "Pay €7.90" });
    await pay.waitFor();
    await pointsPriced;
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await page.getByRole("region", { name: "Points" }).count()).toBe(0);
    expect(await page.getByText(/Spend \d+ points?/).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "no-redemption");

    await pay.click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 90_000 });
    const heading = page.getByRole("heading", { name: "Your points", exact: true });
    await heading.waitFor();
    expect(await heading.textContent()).toBe("Your points");
    await page.context().close();
  });

  it("refuses a malformed coupon code in words, and keeps the order when a quote fails", {
    timeout: 180_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await startScreen(page).waitFor();
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByRole("heading", { name: "Your order", level: 1 }).waitFor();
    const pay = page.getByRole("button", { name: "Pay €7.90" });
    await pay.waitFor();

    const code = page.getByLabel("Have a coupon code?");
    const add = async (typed: string) => {
      await code.fill(typed);
      await page.getByRole("button", { name: "Add code" }).click();
    };
    // Not a code the quote would take: said at once, and what was typed stays to be corrected.
    await add("50%OFF");
    await page.getByRole("alert").getByText("A coupon code has 3 to 64 letters, digits or dashes.").waitFor();
    expect(await code.inputValue()).toBe("50%OFF");
    await expectAccessible(page);
    await screenshot(page, "kiosk", "coupon-malformed");
    await pay.waitFor();

    // A code nobody issued prices fine and says why it does not apply; a guest can take it back too.
    await add("NOSUCH-1");
    const coupons = page.getByRole("region", { name: "Your coupons" });
    await coupons.getByText("Not available: we do not know this code.").waitFor();
    await coupons.getByRole("button", { name: "Remove NOSUCH-1" }).click();
    await coupons.waitFor({ state: "detached" });

    // The quote takes at most 20 codes: the 21st fails it, and the order stays on screen with a way back.
    for (let i = 1; i <= 21; i++) await add(`CODE-${String(i).padStart(2, "0")}`);
    const failed = page.getByRole("alert").filter({ hasText: "We could not price your order with the code CODE-21." });
    await failed.waitFor();
    await page.getByRole("region", { name: "Summary" }).getByText("Classic burger × 1").waitFor();
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "quote-failed");
    await failed.getByRole("button", { name: "Remove CODE-21" }).click();
    await pay.waitFor();
    await failed.waitFor({ state: "detached" });
    await page.context().close();
  });
});

/**
 * A camera and a barcode reader the test controls, as a Chromium kiosk with both has: the reader sees whatever
 * `showToCamera` last put in front of it.
 */
async function withFakeCamera(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shown = window as unknown as { shownCode: string };
    shown.shownCode = "";
    Object.assign(window, {
      BarcodeDetector: class {
        async detect() {
          return shown.shownCode ? [{ rawValue: shown.shownCode }] : [];
        }
      },
    });
    navigator.mediaDevices.getUserMedia = async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 16;
      canvas.height = 16;
      canvas.getContext("2d")!.fillRect(0, 0, 16, 16);
      return canvas.captureStream();
    };
  });
}

async function showToCamera(page: Page, code: string): Promise<void> {
  await page.evaluate((c) => {
    (window as unknown as { shownCode: string }).shownCode = c;
  }, code);
}
