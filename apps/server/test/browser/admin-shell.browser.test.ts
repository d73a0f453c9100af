import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

/** Signing in and out, the menu by role, the language switch and keyboard use of the admin app's shell. */
describe("the admin app's shell in a real browser", () => {
  let web: BrowserSystem;
  beforeAll(async () => {
    web = await startBrowserSystem();
  }, 180_000);
  afterAll(() => web?.dispose());

  it("refuses a wrong password with a message, and throttles repeated failures", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await page.goto("/app/");
    await expectAccessible(page);
    await screenshot(page, "admin", "sign-in");
    const attempt = async (password: string) => {
      await page.getByLabel("E-mail").fill(web.staff.operator.email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
    };
    await attempt("not-the-password");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("e-mail or the password is wrong");
    for (let i = 0; i < 4; i++) await attempt("still-not-the-password");
    // The sixth attempt is refused even with the right password while the window lasts.
    await attempt(web.staff.operator.password);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/too many failed attempts/i);
    await screenshot(page, "admin", "sign-in-throttled");
    await page.context().close();
  });

  it("signs the owner in, keeps them signed in across a reload, and signs them out", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    await expect.poll(() => menu.getByRole("link", { name: "Audit log" }).count()).toBe(1);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "regulars_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    // The cookie is not readable by the page's scripts.
    expect(await page.evaluate(() => document.cookie)).not.toContain("regulars_session");

    await page.reload();
    await menu.waitFor();
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "audit");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.context().close();
  });

  it("shows the sign-in screen, saying the session ended, once the API stops knowing the person", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    await menu.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    // The calls so far answered while signed in; the next page's are the first to go without the cookie.
    await page.waitForLoadState("networkidle");
    const refused: string[] = [];
    page.on("response", (r) => r.status() === 401 && refused.push(r.url()));
    // As when the cookie expires: the browser stops sending it, and every call is refused as unauthenticated.
    await page.context().clearCookies();
    await menu.getByRole("link", { name: "Staff" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 15_000 });
    await page.getByText("Your session has ended. Sign in again to carry on.").waitFor();
    expect(refused.length, "calls refused").toBeGreaterThan(0);
    expect(await page.getByText("Authorization: Bearer").count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, "admin", "session-ended");

    // Signing in again leads back to the page the person was on, and the notice goes.
    await page.getByLabel("E-mail").fill(web.staff.owner.email);
    await page.getByLabel("Password").fill(web.staff.owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Staff" }).waitFor();
    expect(await page.getByText("Your session has ended").count()).toBe(0);
    await page.context().close();
  });

  it("keeps a tab working, on the browser's new session, once signing in again in another tab replaced its own", {
    timeout: 120_000,
  }, async () => {
    const first = await web.newPage();
    await signIn(first, web.staff.owner);
    const menu = first.getByRole("navigation", { name: "Main menu" });
    await menu.getByRole("link", { name: "Audit log" }).click();
    await first.getByRole("heading", { name: "Audit log" }).waitFor();
    await first.waitForLoadState("networkidle");
    // Another tab of the same browser signs out and in again: its cookie replaces the one the first tab's calls
    // send, with the first tab's CSRF token, which is not the new session's.
    const second = await first.context().newPage();
    second.setDefaultTimeout(45_000);
    await second.goto("/app/");
    await second.getByRole("button", { name: "Sign out" }).click();
    await signIn(second, web.staff.owner);

    const refused: string[] = [];
    first.on("response", (r) => r.url().includes("/trpc/") && r.status() >= 400 && refused.push(r.url()));
    // The first tab's calls are refused (401), it takes up the browser's session and asks again: no password asked,
    // so no sign-in here replaces the second tab's session in turn.
    await menu.getByRole("link", { name: "Staff" }).click();
    await first.getByRole("heading", { level: 1, name: "Staff" }).waitFor({ timeout: 15_000 });
    await first.getByRole("cell", { name: web.staff.marketer.email, exact: true }).waitFor();
    expect(await first.getByRole("button", { name: "Sign in" }).count()).toBe(0);
    expect(await first.getByText("Your session has ended.").count()).toBe(0);
    expect(refused.length, "calls refused").toBeGreaterThan(0);
    // Each refused once: asking again with the old token would be refused the same way.
    expect(new Set(refused).size).toBe(refused.length);
    await menu.getByRole("link", { name: "Audit log" }).click();
    await first.getByRole("heading", { name: "Audit log" }).waitFor();

    // The second tab's session is the browser's, and stays signed in.
    await second.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Audit log" }).click();
    await second.getByRole("heading", { name: "Audit log" }).waitFor();
    await second.reload();
    await second.getByRole("button", { name: "Sign out" }).waitFor();
    await first.context().close();
  });

  it("shows the menu in Polish when Polish is chosen, and remembers the choice", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await page.getByLabel("Language").selectOption("pl");
    await page.getByRole("navigation", { name: "Menu główne" }).getByRole("link", { name: "Dziennik zmian" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("pl");
    await page.reload();
    await page.getByRole("button", { name: "Wyloguj" }).waitFor();
    await screenshot(page, "admin", "shell-polish");
    await page.context().close();
  });

  it("shows every page of the menu in Polish, with no message missing", { timeout: 240_000 }, async () => {
    const page = await web.newPage();
    const missing: string[] = [];
    page.on("console", (m) => {
      if (m.text().startsWith("missing translation")) missing.push(m.text());
    });
    await signIn(page, web.staff.owner);
    await page.getByLabel("Language").selectOption("pl");
    const menu = page.getByRole("navigation", { name: "Menu główne" });
    const links = await menu.getByRole("link").all();
    const names = await Promise.all(links.map((l) => l.textContent()));
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const [i, name] of names.entries()) {
      await menu.getByRole("link", { name: name!, exact: true }).click();
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForLoadState("networkidle");
      // A placeholder the message names but the page does not fill stays as {{name}}.
      expect(await page.locator("#main").textContent(), `${name} in Polish`).not.toContain("{{");
      await expectAccessible(page);
      await screenshot(
        page,
        "admin",
        `pl-${String(i).padStart(2, "0")}-${new URL(page.url()).pathname.split("/")[2] || "dashboard"}`,
      );
    }
    expect(missing, "messages the pages use but no language has").toEqual([]);
    await page.context().close();
  });

  it("lets a keyboard user skip to the content and reach a page from the menu", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    // Tab through the menu until the audit log link has focus, then follow it with Enter.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.textContent)) === "Audit log") break;
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/app/audit");
    await page.context().close();
  });

  it("leaves out of an analyst's menu what an analyst may not do", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.analyst);
    const menu = page.getByRole("navigation", { name: "Main menu" });
    expect(await menu.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await page.context().close();
  });
});
