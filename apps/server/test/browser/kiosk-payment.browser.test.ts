import { asAdminView } from "@regulars/api-client";
import type { Route } from "playwright-core";
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

// The kiosk while a sale is on its way: the network drops the gateway's answer, the API cannot say what the ledger
// did. The customer is told the order was received, is never offered Pay again, and cannot cancel it half-sent.

const portrait = { width: 1080, height: 1920 };
const phone = "+48600900003";
const store = "store-001";
const ledgerQuestion = /\/trpc\/.*transactions\.get/;
const sales = /\/v1\/transactions$/;

describe("the kiosk while a sale is on its way", () => {
  let web: BrowserSystem;
  let customerId: string;
  const admin = () => web.system.client(web.tenant.apiKeys.admin);
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;

  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await admin().programme.redemption.set.mutate({
      redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 500 },
    });
    customerId = await enrolAtTill(web, phone, store, "KIOSK-PAYMENT");
    await admin().customers.updateProfile.mutate({ customerId, name: "Olga Wiśniewska" });
  }, 240_000);
  afterAll(() => web?.dispose());

  it("says the order was received when the answers get lost, and books it once", { timeout: 180_000 }, async () => {
    const before = asAdminView(await admin().customers.get.query({ id: customerId })).points.balance;
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    const points = page.getByRole("region", { name: "Points" });
    await points.getByRole("button", { name: "Use Spend 100 points" }).click();
    await points.getByRole("button", { name: "Remove Spend 100 points" }).waitFor();

    // The first post reaches the gateway, which stores it, but its answer is lost on the way back; the post is
    // held until the test has looked at the screen. Later posts go through and their answers are kept.
    let arrived!: () => void;
    const firstPostArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let letGo!: () => void;
    const firstPostReleased = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const repeats: { status: number; duplicate: boolean }[] = [];
    let posts = 0;
    await page.route(sales, async (route: Route) => {
      if (route.request().method() !== "POST") return route.continue();
      posts += 1;
      if (posts === 1) {
        arrived();
        await firstPostReleased;
        await route.fetch();
        return route.abort("connectionreset");
      }
      const res = await route.fetch();
      repeats.push({ status: res.status(), duplicate: Boolean((await res.json()).duplicate) });
      return route.fulfill({ response: res });
    });
    // And the API cannot say what the ledger did: it is restarting.
    let ledgerQuestions = 0;
    await page.route(ledgerQuestion, (route) => {
      ledgerQuestions += 1;
      return route.fulfill({ status: 502, body: "bad gateway" });
    });

    await page.getByRole("button", { name: "Pay €10.80" }).click();
    await firstPostArrived;
    await page.getByRole("status").getByText("Sending your order…").waitFor();
    const cancel = page.getByRole("button", { name: "Cancel order" });
    expect(await cancel.isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Pay €10.80" }).isDisabled()).toBe(true);
    letGo();

    const received = page.getByRole("heading", { name: "Order received" });
    await received.waitFor();
    await expect.poll(() => ledgerQuestions, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    // Failed questions are only reasons to ask again: the order stays received, with no error and no Pay.
    expect(await received.isVisible()).toBe(true);
    expect(await page.getByText(/could not be sent/).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    expect(await cancel.isDisabled()).toBe(true);
    expect(repeats).toEqual([{ status: 202, duplicate: true }]);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "order-received");

    await page.unroute(ledgerQuestion);
    await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 90_000 });
    // 100 points spent (the hold was kept, not voided) and 10 earned on the €10.80 paid: once each.
    const receipt = page.getByRole("region", { name: "Your points, Olga" });
    await expect
      .poll(() => receipt.getByRole("definition").allTextContents())
      .toEqual(["+10", "−100", `${before - 90}`]);
    const ledger = await admin().customers.ledger.query({ customerId, limit: 20 });
    const moves = ledger.items.filter((m) => m.unit === "points").map((m) => [m.kind, m.amount]);
    expect(moves.filter(([kind]) => kind === "redeem")).toEqual([["redeem", -100]]);
    expect(moves.filter(([kind]) => kind === "earn")).toHaveLength(2);
    await page.context().close();
  });

  it("asks staff to check an order whose sending stayed in doubt, and offers no second Pay", {
    timeout: 180_000,
  }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await page.getByRole("button", { name: "Order without signing in" }).click();
    await page.getByRole("button", { name: "Burgers", exact: true }).click();
    await page.getByRole("button", { name: /^Add Classic burger/ }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    // No answer ever comes back: whether the gateway stored the sale stays unknown.
    let posts = 0;
    await page.route(sales, (route) => {
      if (route.request().method() !== "POST") return route.continue();
      posts += 1;
      return route.abort("connectionreset");
    });
    await page.getByRole("button", { name: "Pay €7.90" }).click();
    await page.getByRole("heading", { name: "We could not confirm your order" }).waitFor();
    await page.getByRole("alert").getByText("Please do not pay again.", { exact: false }).waitFor();
    await page.getByText(/^KIOSK-store-001-/).waitFor();
    expect(posts).toBe(4);
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "order-unconfirmed");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("heading", { name: "Welcome to Demo Burgers" }).waitFor();
    await page.context().close();
  });
});
