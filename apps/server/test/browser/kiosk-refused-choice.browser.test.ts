import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, enrolAtTill, freePort, signInByPhone, startBrowserSystem } from "./browser-fixture.ts";

// The kiosk after the quote refused part of what the customer chose: Pay holds only what the quote gave, so what
// the button says is what is paid, and a choice taken by another till meanwhile is shown, never paid for in a loop.

const portrait = { width: 1080, height: 1920 };
const phone = "+48600900007";
const store = "store-001";

describe("the kiosk after part of the choice was refused", () => {
  let web: BrowserSystem;
  let customerId: string;
  const admin = () => web.system.client(web.tenant.apiKeys.admin);
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;

  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await admin().programme.redemption.set.mutate({
      redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 },
    });
    await admin().coupons.create.mutate({
      name: "Airport store treat",
      benefit: { kind: "fixed_off", amount: 300 },
      conditions: { locations: ["store-airport"] },
      codes: { kind: "generic", code: "AIRPORT3" },
    });
    customerId = await enrolAtTill(web, phone, store, "KIOSK-REFUSED");
  }, 240_000);
  afterAll(() => web?.dispose());

  it("lets a guest pay the total shown beside a code refused at this restaurant", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByLabel(/coupon code/i).fill("AIRPORT3");
    await page.getByRole("button", { name: "Add code" }).click();
    await page.getByText(/not valid at this restaurant/).waitFor();

    await page.getByRole("button", { name: "Pay €7.90" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 60_000 });
    await page.context().close();
  });

  it("blames no coupon when the quote fails on the server's side, and prices again when asked", {
    timeout: 180_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByRole("button", { name: "Pay €7.90" }).waitFor();

    // A proxy in front of the API answers its own HTML page while the code is being priced.
    const quotes = /\/trpc\/.*checkout\.quote/;
    await page.route(quotes, (route) =>
      route.fulfill({
        status: 502,
        contentType: "text/html",
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
      }),
    );
    await page.getByLabel(/coupon code/i).fill("AIRPORT3");
    await page.getByRole("button", { name: "Add code" }).click();
    const failed = page.getByRole("alert").filter({ hasText: "We could not price your order just now." });
    await failed.getByText("The service is briefly unavailable. Try again in a moment.").waitFor();
    expect(await failed.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
    expect(await page.getByText(/with the code|Unexpected token/).count()).toBe(0);

    await page.unroute(quotes);
    await failed.getByRole("button", { name: "Try again" }).click();
    await page.getByText(/not valid at this restaurant/).waitFor();
    await page.getByRole("button", { name: "Pay €7.90" }).waitFor();
    await page.context().close();
  });

  it("shows points another till took meanwhile as refused, then pays without them", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    const points = page.getByRole("region", { name: "Points" });
    await points.getByRole("button", { name: "Use Spend 200 points" }).click();
    await points.getByRole("button", { name: "Remove Spend 200 points" }).waitFor();

    // Another till reserves half of the 300 points between the quote and Pay.
    const till = await web.system.client(web.tenant.apiKeys.kiosk).checkout.hold.mutate({
      customer: { id: customerId },
      basket: {
        locationId: store,
        channel: "kiosk",
        currency: "EUR",
        lines: [{ sku: "CATERING", name: "Catering", quantity: 1, unitPrice: 30_000, discount: 0 }],
      },
      points: 150,
    });
    expect(till.holdId).toMatch(/^hld_/);

    await page.getByRole("button", { name: "Pay €5.80" }).click();
    await page.getByText("Some of what you chose can no longer be used:").waitFor();
    await page.getByText("Points: not enough points").waitFor();
    // Priced again without the points: the button says so, and paying that succeeds at the first tap.
    await points.getByText(/Not available: not enough points/).waitFor();
    await page.getByRole("button", { name: "Pay €15.80" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 60_000 });
    await page.context().close();
  });
});

describe("the kiosk once it tried too many unknown coupon codes", () => {
  let web: BrowserSystem;

  // One unknown code per window: the second is refused as rate_limited, and so is every quote with codes after it.
  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()), COUPON_UNKNOWN_CODE_LIMIT: "1" });
  }, 240_000);
  afterAll(() => web?.dispose());

  it("lets the guest go on without the codes and pay", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(`/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`);
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByRole("button", { name: "Pay €7.90" }).waitFor();
    await page.getByLabel(/coupon code/i).fill("WRONG1");
    await page.getByRole("button", { name: "Add code" }).click();
    await page.getByText(/we do not know this code/).waitFor();
    await page.getByLabel(/coupon code/i).fill("WRONG2");
    await page.getByRole("button", { name: "Add code" }).click();

    const held = page.getByRole("alert").filter({ hasText: "Coupon codes cannot be checked for a while." });
    await held.getByText(/Too many requests/).waitFor({ timeout: 60_000 });
    // Removing one code would not help: every quote with codes is refused until the window passes.
    expect(await held.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
    await held.getByRole("button", { name: "Continue without the codes" }).click();
    await page.getByRole("button", { name: "Pay €7.90" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 60_000 });
    await page.context().close();
  });
});
