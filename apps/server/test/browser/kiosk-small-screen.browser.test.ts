import type { Locator, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserSystem,
  enrolAtTill,
  expectAccessible,
  freePort,
  screenshot,
  startBrowserSystem,
} from "./browser-fixture.ts";

// The kiosk on the screens stores put it on: landscape POS displays (1366×768, 1280×800, 1024×768) and a portrait
// kiosk. At every step the customer reaches the step's main action without scrolling the page, every control is
// big enough for a finger, and a long basket or many coupons scroll inside their own area.

const screens = [
  { width: 1366, height: 768 },
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1080, height: 1920 },
];
const phone = "+48600900077";
const store = "store-001";
/** Sides added to the demo menu, so one order can carry a basket longer than any screen. */
const extraSides = Array.from({ length: 12 }, (_, i) => ({
  sku: `SIDE-${i + 1}`,
  name: `Side dish ${i + 1}`,
  category: "sides",
  tags: [],
  price: 100 + i,
}));
const couponCount = screens.length * 2;
const sales = /\/v1\/transactions$/;
/** Apple's and Google's guidance for the smallest comfortable touch target, in CSS pixels. */
const minTouch = 44;

describe("the kiosk on small and portrait screens", () => {
  let web: BrowserSystem;
  const admin = () => web.system.client(web.tenant.apiKeys.admin);
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;

  beforeAll(async () => {
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await web.system.db.product.createMany({
      data: extraSides.map((p) => ({ ...p, tenantId: web.tenant.tenantId, price: BigInt(p.price) })),
    });
    await admin().programme.redemption.set.mutate({
      redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 },
    });
    for (const [id, points] of [
      ["free-sundae", 1000],
      ["free-coffee", 2000],
    ] as const)
      await admin().programme.rewards.upsert.mutate({
        reward: { id, name: `Reward ${id}`, points, benefit: { kind: "free_item", match: { skus: ["SUNDAE"] } } },
      });
    const customerId = await enrolAtTill(web, phone, store, "KIOSK-SMALL");
    await admin().customers.updateProfile.mutate({ customerId, name: "Ewa Kowalska" });
    for (let i = 1; i <= couponCount; i++) {
      const coupon = await admin().coupons.create.mutate({
        name: `Treat ${i}`,
        benefit: { kind: "fixed_off", amount: 10 * i },
        codes: { kind: "unique", pattern: `TREAT${i}-XXXXX` },
      });
      await admin().coupons.issue.mutate({ id: coupon.id, customerId, issueKey: `treat-${i}` });
    }
  }, 240_000);
  afterAll(() => web?.dispose());

  screens.forEach((size, walk) => {
    const name = `${size.width}x${size.height}`;
    it(`shows each step's main action without scrolling at ${name}`, { timeout: 180_000 }, async () => {
      const page = await web.newPage(size);
      const fits = (step: string, ...primary: Locator[]) => expectFits(page, `${name}-${step}`, primary);
      await page.goto(kioskLink());
      await fits("start", page.getByRole("button", { name: "Sign in to collect points" }));

      await page.getByRole("button", { name: "Sign in to collect points" }).click();
      await page.getByLabel("Code from the app").fill("not-a-real-token");
      await fits("identify-qr", page.getByLabel("Code from the app"), continueButton(page));
      await page.getByRole("button", { name: "Phone number" }).click();
      await page.getByLabel("Phone number", { exact: true }).fill(phone);
      await fits(
        "identify-phone",
        continueButton(page),
        page.getByRole("button", { name: "Delete the last character" }),
      );
      await continueButton(page).click();
      await page.getByRole("region", { name: "Customer" }).getByText("Hi, Ewa!").waitFor();

      await page.getByRole("button", { name: "Burgers", exact: true }).click();
      await page.getByRole("button", { name: /^Add Classic burger/ }).click();
      await page.getByRole("button", { name: "Sides", exact: true }).click();
      for (const side of extraSides) await page.getByRole("button", { name: `Add ${side.name}, ` }).click();
      await page.getByRole("button", { name: "One more Side dish 12" }).waitFor();
      await fits("menu", page.getByRole("button", { name: "Checkout" }), page.getByText(/^Subtotal: /));

      await page.getByRole("button", { name: "Checkout" }).click();
      await page.getByRole("heading", { name: "Your order", level: 1 }).waitFor();
      const coupons = page.getByRole("region", { name: "Your coupons" });
      const chosen = `Treat ${walk + 1}`;
      await coupons.getByRole("button", { name: `Use ${chosen}` }).click();
      await coupons.getByRole("button", { name: `Remove ${chosen}` }).waitFor();
      const pay = page.getByRole("button", { name: /^Pay / });
      await expect.poll(() => pay.isEnabled()).toBe(true);
      await fits(
        "quote",
        pay,
        page.getByRole("button", { name: "Add code" }),
        page.getByRole("term").filter({ hasText: "Total" }),
      );

      // The sale is held on its way, so the paying step can be looked at.
      let letGo!: () => void;
      const released = new Promise<void>((resolve) => {
        letGo = resolve;
      });
      await page.route(sales, async (route: Route) => {
        if (route.request().method() === "POST") await released;
        return route.continue();
      });
      await pay.click();
      const sending = page.getByRole("status").filter({ hasText: "Sending your order…" });
      await sending.waitFor();
      await fits("paying", sending, pay);
      letGo();

      await page.getByRole("heading", { name: "Thank you!" }).waitFor({ timeout: 90_000 });
      await page
        .getByRole("region", { name: "Your points, Ewa" })
        .getByText(/^Your tier|^Next reward/)
        .first()
        .waitFor();
      await fits("receipt", page.getByRole("button", { name: "Done" }));
      await page.getByRole("button", { name: "Done" }).click();
      await page.getByRole("heading", { name: "Welcome to Demo Burgers" }).waitFor();
      await page.context().close();
    });
  });
});

const continueButton = (page: Page) => page.getByRole("button", { name: "Continue", exact: true });

/**
 * The page as it stands fits the window: nothing lies outside it but what a scrolling region of its own holds, each of
 * `primary` wholly on screen, and every button and field at least a finger's size, nothing an accessibility check
 * objects to. A screenshot of it is saved first, to be looked at.
 */
async function expectFits(page: Page, step: string, primary: Locator[]): Promise<void> {
  for (const p of primary) await p.waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "kiosk", `small-screen-${step}`);
  // Scrolling regions of their own must stay reachable by keyboard, which axe checks among the rest.
  await expectAccessible(page);
  const fit = await page.evaluate((min) => {
    const shown = [...document.body.querySelectorAll("*")].filter(
      (el) => el.getClientRects().length > 0 && !el.closest(".sr-only"),
    );
    const named = (el: Element) => el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 40) ?? el.tagName;
    const small = shown
      .filter((el) => el.matches("button, input, select, textarea, a[href]"))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < min || box.width < min)
      .map(({ el, box }) => `${named(el)} ${box.width}×${box.height}`);
    // The kiosk's root hides its overflow, so the page itself never scrolls: what does not fit is cut off silently,
    // unless it sits in a region that scrolls (a long basket, many coupons).
    const scrolls = (el: Element) =>
      /auto|scroll/.test(getComputedStyle(el).overflowY + getComputedStyle(el).overflowX);
    const inScrollingRegion = (el: Element) => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) if (scrolls(up)) return true;
      return false;
    };
    const { innerWidth, innerHeight } = window;
    const cutOff = shown
      .filter((el) => !inScrollingRegion(el))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0)
      .filter(({ box }) => box.top < -1 || box.left < -1 || box.bottom > innerHeight + 1 || box.right > innerWidth + 1)
      .map(
        ({ el, box }) =>
          `${el.tagName.toLowerCase()} "${named(el)}" at ${box.left},${box.top} to ${box.right},${box.bottom}`,
      );
    return { innerHeight, innerWidth, small, cutOff };
  }, minTouch);
  expect.soft(fit.cutOff, `${step}: cut off by the window, in no scrolling region`).toEqual([]);
  expect.soft(fit.small, `${step}: targets smaller than ${minTouch} px`).toEqual([]);
  for (const p of primary) {
    const box = await p.boundingBox();
    expect.soft(box, `${step}: ${p} is not on screen`).not.toBeNull();
    expect.soft(box!.y, `${step}: ${p} starts above the window`).toBeGreaterThanOrEqual(0);
    expect.soft(box!.y + box!.height, `${step}: ${p} ends below the window`).toBeLessThanOrEqual(fit.innerHeight);
    expect.soft(box!.x + box!.width, `${step}: ${p} ends right of the window`).toBeLessThanOrEqual(fit.innerWidth);
  }
}
