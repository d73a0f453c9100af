import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, freePort, startBrowserSystem } from "./browser-fixture.ts";

// The kiosk's checkout quote when the network holds it up: like holds and sale posts, it stops waiting after 10 s,
// says so in the customer's words, and "Try again" prices the order once the network is back.

const portrait = { width: 1080, height: 1920 };
const store = "store-001";
const quotes = /\/trpc\/.*checkout\.quote/;

describe("the kiosk when pricing the order stalls", () => {
  let web: BrowserSystem;
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;

  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
  }, 240_000);
  afterAll(() => web?.dispose());

  it("stops waiting for a quote that is never answered, and prices the order when asked again", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    // A proxy holds every quote open: no answer, no error.
    let held = 0;
    await page.route(quotes, () => {
      held += 1;
    });
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByText("Pricing your order is taking too long.", { exact: false }).waitFor({ timeout: 60_000 });
    // Given up once, not retried behind the customer's back.
    expect(held).toBe(1);
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    await expectAccessible(page);

    await page.unroute(quotes);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("button", { name: "Pay €7.90" }).waitFor();
    expect(await page.getByText("Pricing your order is taking too long.", { exact: false }).count()).toBe(0);
    await page.context().close();
  });
});
