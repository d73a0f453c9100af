import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSystem,
  enrolAtTill,
  expectAccessible,
  freePort,
  screenshot,
  signInByPhone,
  startBrowserSystem,
} from "./browser-fixture.ts";

// The kiosk when paying does not end in a receipt: a hold whose answer is held up by the network, and a sale the
// gateway stored that the ledger then rejects. Either way the kiosk is usable again and the hold is released.

const portrait = { width: 1080, height: 1920 };
const phone = "+48600900007";
const store = "store-001";
const holds = /\/trpc\/.*checkout\.hold/;
const sales = /\/v1\/transactions$/;

describe("the kiosk when paying stalls or is rejected", () => {
  let web: BrowserSystem;
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;
  const admin = () => web.system.client(web.tenant.apiKeys.admin);
  const holdStatus = async (holdId: string) =>
    (await web.system.client(web.tenant.apiKeys.kiosk).checkout.getHold.query({ holdId })).status;

  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await admin().programme.redemption.set.mutate({
      redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 500 },
    });
    await enrolAtTill(web, phone, store, "KIOSK-STALLED");
  }, 240_000);
  afterAll(() => web?.dispose());

  /** Signed in, a burger in the basket and 100 points chosen: paying places a hold. */
  async function toCheckoutSpendingPoints(page: Page) {
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    const points = page.getByRole("region", { name: "Points" });
    await points.getByRole("button", { name: "Use Spend 100 points" }).click();
    await points.getByRole("button", { name: "Remove Spend 100 points" }).waitFor();
  }

  it("gives the kiosk back when the hold's answer does not come, and frees the hold when it comes late", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await toCheckoutSpendingPoints(page);
    // The hold reaches the API and is made, but its answer is held up until the test lets it go.
    let letGo!: () => void;
    const released = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let holdId: string | null = null;
    let delivered!: () => void;
    const answerDelivered = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    await page.route(holds, async (route: Route) => {
      const res = await route.fetch();
      const body = await res.text();
      holdId = /hld_[a-z0-9]+/.exec(body)?.[0] ?? null;
      await released;
      await route.fulfill({ response: res, body }).catch(() => {});
      delivered();
    });

    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByRole("status").getByText("Reserving your coupons and points…").waitFor();
    const cancel = page.getByRole("button", { name: "Cancel order" });
    expect(await cancel.isDisabled()).toBe(true);

    await page.getByText("We could not reserve your coupons and points in time.", { exact: false }).waitFor();
    expect(await cancel.isDisabled()).toBe(false);
    expect(await page.getByRole("button", { name: /^Pay / }).isDisabled()).toBe(false);
    expect(holdId).toMatch(/^hld_/);
    expect(await holdStatus(holdId!)).toBe("held");
    await expectAccessible(page);

    letGo();
    await answerDelivered;
    await expect.poll(() => holdStatus(holdId!), { timeout: 30_000 }).toBe("released");
    await cancel.click();
    await page.getByRole("heading", { name: "Welcome to Demo Burgers" }).waitFor();
    await page.context().close();
  });

  it("stops waiting for sale posts that are never answered, and asks staff to check", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    // A proxy holds every post open: no answer, no error, until the kiosk stops waiting.
    let posts = 0;
    await page.route(sales, (route: Route) => {
      if (route.request().method() !== "POST") return route.continue();
      posts += 1;
    });
    await page.getByRole("button", { name: "Pay €7.90" }).click();
    await page.getByRole("status").getByText("Sending your order…").waitFor();
    await page.getByRole("heading", { name: "We could not confirm your order" }).waitFor({ timeout: 90_000 });
    expect(posts).toBe(4);
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("heading", { name: "Welcome to Demo Burgers" }).waitFor();
    await page.context().close();
  });

  it("ends a sale the ledger rejects on a final screen, and frees its hold", { timeout: 120_000 }, async () => {
    const page = await web.newPage(portrait);
    await toCheckoutSpendingPoints(page);
    // The gateway stores the sale, but it names a customer the ledger does not know, so the ledger rejects it. The
    // hold is left out of what is posted: a sale naming another customer's hold is refused at the door instead.
    let sent: { externalId: string; holdId: string } | null = null;
    await page.route(sales, (route: Route) => {
      if (route.request().method() !== "POST") return route.continue();
      const body = route.request().postDataJSON() as {
        externalId: string;
        holdId: string;
        customer: { id: string };
      };
      sent = { externalId: body.externalId, holdId: body.holdId };
      const unknown = `${body.customer.id.slice(0, -4)}${body.customer.id.endsWith("0000") ? "1111" : "0000"}`;
      return route.continue({ postData: JSON.stringify({ ...body, customer: { id: unknown }, holdId: undefined }) });
    });

    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByRole("heading", { name: "Your order was not accepted" }).waitFor({ timeout: 60_000 });
    await page.getByRole("alert").getByText("we could not find your account", { exact: false }).waitFor();
    expect(sent).not.toBeNull();
    await page.getByText(sent!.externalId).waitFor();
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Cancel order" }).isDisabled()).toBe(false);
    // A rejected sale never committed the hold: left alone it would keep the 100 points until it expires.
    await expect.poll(() => holdStatus(sent!.holdId), { timeout: 30_000 }).toBe("released");
    await expectAccessible(page);
    await screenshot(page, "kiosk", "order-not-accepted");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("heading", { name: "Welcome to Demo Burgers" }).waitFor();
    await page.context().close();
  });
});
