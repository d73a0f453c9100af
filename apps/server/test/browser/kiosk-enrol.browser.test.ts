import type { Page } from "playwright-core";
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

// A phone number the kiosk does not know: the customer is offered to join with it, SMS offers only if they tick
// the box, and orders as the new member; a number it knows is never offered to join.

const portrait = { width: 1080, height: 1920 };
const store = "store-001";
const known = "+48600910001";

describe("joining at the kiosk with a phone number", () => {
  let web: BrowserSystem;
  const kioskLink = () => `/kiosk/#key=${web.tenant.apiKeys.kiosk}&location=${store}`;
  // Unique per run, so a rerun over a kept database still finds them unknown.
  const fresh = (n: number) => `+48601${String(Date.now()).slice(-5)}${n}`;

  beforeAll(async () => {
    // The kiosk learns the gateway's address from /kiosk/config.json: a fixed free port, not a random one.
    web = await startBrowserSystem({ GATEWAY_PORT: String(await freePort()) });
    await enrolAtTill(web, known, store, "KIOSK-ENROL-KNOWN");
  }, 240_000);
  afterAll(() => web?.dispose());

  const offer = (page: Page) => page.getByRole("region", { name: "New here? Join and collect points" });
  const smsBox = (page: Page) => offer(page).getByRole("checkbox", { name: "Text me offers (SMS)" });
  const consentsOf = (phone: string) =>
    web.system.db.$queryRaw<{ channel: string; purpose: string; granted: boolean; source: string }[]>`
      SELECT cc.channel, cc.purpose, cc.granted, cc.source FROM customer_consents cc
      JOIN customers c ON c.id = cc.customer_id AND c.tenant_id = cc.tenant_id
      WHERE c.tenant_id = ${web.tenant.tenantId} AND c.phone = ${phone}`;
  const customerCount = async (phone: string) =>
    (
      await web.system.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM customers WHERE tenant_id = ${web.tenant.tenantId} AND phone = ${phone}`
    )[0]!.n;

  /** From the start screen: an unknown number, the offer, the box as asked, Join; answers once identified. */
  async function join(page: Page, phone: string, textMeOffers: boolean) {
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await page.getByRole("alert").getByText("We could not find you.").waitFor();
    await offer(page).waitFor();
    expect(await smsBox(page).isChecked()).toBe(false);
    if (textMeOffers) await smsBox(page).check();
    await offer(page).getByRole("button", { name: "Join with this number" }).click();
    const customer = page.getByRole("region", { name: "Customer" });
    await customer.getByText("Hi, member!").waitFor();
    await customer.getByText("Points: 0").waitFor();
    await page.getByRole("heading", { name: "Menu" }).waitFor();
  }

  it("offers an unknown number to join, with SMS offers unticked, and records the ticked box", {
    timeout: 180_000,
  }, async () => {
    const phone = fresh(1);
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, phone);
    await offer(page).waitFor();
    // The offer takes the focus, so a screen reader reads it and a keyboard reaches it next.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("New here? Join and collect points");
    expect(await smsBox(page).isChecked()).toBe(false);
    await expectAccessible(page);
    await screenshot(page, "kiosk", "join-offer");
    // Another number in the field must be looked up first: the offer was for the number that matched nobody.
    await page.getByRole("button", { name: "Delete the last character" }).click();
    expect(await offer(page).count()).toBe(0);
    expect(await customerCount(phone)).toBe(0);
    await page.context().close();

    const joining = await web.newPage(portrait);
    await join(joining, phone, true);
    await screenshot(joining, "kiosk", "joined");
    expect(await consentsOf(phone)).toEqual([
      { channel: "sms", purpose: "marketing", granted: true, source: `till:${store}` },
    ]);
    expect(await customerCount(phone)).toBe(1);
    await joining.context().close();
  });

  it("records no SMS consent when the box is left unticked", { timeout: 180_000 }, async () => {
    const phone = fresh(2);
    const page = await web.newPage(portrait);
    await join(page, phone, false);
    expect(await customerCount(phone)).toBe(1);
    expect((await consentsOf(phone)).filter((c) => c.channel === "sms" && c.granted)).toEqual([]);
    await page.context().close();
  });

  it("asks to check a number a digit short instead of offering to join with it", { timeout: 180_000 }, async () => {
    // A possible length, so the look-up takes it, but no valid Polish number: joining would make an account no SMS
    // reaches.
    const short = "+48 600 900 00";
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, short);
    await page.getByRole("alert").getByText("this is not a valid phone number").waitFor();
    expect(await offer(page).count()).toBe(0);
    expect(await customerCount("+4860090000")).toBe(0);
    await page.context().close();
  });

  it("never offers a known customer to join", { timeout: 180_000 }, async () => {
    const page = await web.newPage(portrait);
    await page.goto(kioskLink());
    await signInByPhone(page, known);
    await page.getByRole("region", { name: "Customer" }).getByText("Points: 300").waitFor();
    await page.getByRole("heading", { name: "Menu" }).waitFor();
    expect(await offer(page).count()).toBe(0);
    expect(await page.getByText("Join with this number").count()).toBe(0);
    await page.context().close();
  });
});
