import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "@regulars/db";
import { addStaff } from "@regulars/staff";
import { type CreatedTenant, createDemoTenant } from "@regulars/tenancy";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { campaignSystemEnv } from "../campaign-fixture.ts";
import { startIsolatedTestSystem, type TestSystem } from "../system-fixture.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
/** Where every browser test saves a screenshot of each page it visits, to be looked at by eye. */
export const screenshotsDir = join(root, ".screenshots");

/** Debian's Chromium (`apt-get install chromium`), which `.ci/run` installs; playwright's own download cannot work here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export type StaffRole = "owner" | "marketer" | "operator" | "analyst";
export interface StaffLogin {
  email: string;
  password: string;
  role: StaffRole;
}

export interface BrowserSystem {
  /** The system, with its own database (for checking what a page stored). */
  system: TestSystem & { db: Db };
  /** The tenant the staff belong to: the demo tenant's menu, with a key per API role. */
  tenant: CreatedTenant;
  /** One person per staff role. */
  staff: Record<StaffRole, StaffLogin>;
  browser: Browser;
  /** The API's origin, which serves /app/ (admin) and /kiosk/. */
  baseUrl: string;
  /** A fresh browser context (its own cookies) with one page; desktop size unless told. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  dispose(): Promise<void>;
}

/** Builds the admin and kiosk apps when this checkout has no build yet (the test command builds them first). */
export function ensureWebAppsBuilt(): void {
  const built = ["apps/admin/dist/index.html", "apps/kiosk/dist/index.html"].every((f) => existsSync(join(root, f)));
  if (built) return;
  const r = spawnSync("pnpm", ["--silent", "build:web"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("pnpm build:web failed; the browser tests need the built apps");
}

/**
 * The whole system (gateway, workers including campaigns and messages, API serving the apps) over a
 * database of its own, a demo tenant with one staff member per role, and a headless Chromium.
 */
export async function startBrowserSystem(env: Record<string, string> = {}): Promise<BrowserSystem> {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\` (.ci/run does)`);
  ensureWebAppsBuilt();
  // Every worker, scheduled passes within seconds, local webhook receivers allowed, no per-key limits.
  const system = await startIsolatedTestSystem({ ...campaignSystemEnv, ...env });
  const tenant = await createDemoTenant(system.db);
  const staff = {} as Record<StaffRole, StaffLogin>;
  for (const role of ["owner", "marketer", "operator", "analyst"] as const) {
    const login = { email: `${role}@browser.test`, password: `${role}-password-long`, role };
    await addStaff(
      system.db,
      tenant.tenantId,
      { email: login.email, name: `Test ${role}`, role, password: login.password },
      "test",
    );
    staff[role] = login;
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await mkdir(screenshotsDir, { recursive: true });
  return {
    system,
    tenant,
    staff,
    browser,
    baseUrl: system.apiUrl!,
    async newPage(viewport = { width: 1366, height: 900 }) {
      const context = await browser.newContext({ viewport, baseURL: system.apiUrl!, locale: "en-GB" });
      const page = await context.newPage();
      // Generous: two test files and their systems share two cores in the full suite.
      page.setDefaultTimeout(45_000);
      return page;
    },
    async dispose() {
      await browser.close().catch(() => {});
      await system.dispose();
    },
  };
}

/** Signs in through the form, as a person would, and waits for the menu. */
export async function signIn(page: Page, login: StaffLogin): Promise<void> {
  await page.goto("/app/");
  await page.getByLabel(/e-mail/i).fill(login.email);
  await page.getByLabel(/password|hasło/i).fill(login.password);
  await page.getByRole("button", { name: /sign in|zaloguj/i }).click();
  await page.getByRole("navigation", { name: /main menu|menu główne/i }).waitFor();
}

/** Saves `<app>/<name>.png` under .screenshots/ (whole page). */
export async function screenshot(page: Page, app: "admin" | "kiosk", name: string): Promise<string> {
  const file = join(screenshotsDir, app, `${name}.png`);
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource: string | null = null;

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation, naming the
 * rule and the elements, so a regression reads as what to fix.
 */
export async function expectAccessible(page: Page): Promise<void> {
  axeSource ??= await readFile(fileURLToPath(import.meta.resolve("axe-core/axe.min.js")), "utf8");
  // Evaluated through the DevTools protocol: the apps' Content-Security-Policy (rightly) refuses inline scripts.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return (result.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  expect(violations, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** A free local port, for a service whose port must be known before it starts (the kiosk learns the gateway's). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Holds the kiosk's staff corner down, as staff do, until the device settings open; answers the dialog. */
export async function holdStaffCorner(page: Page): Promise<Locator> {
  const corner = page.getByRole("button", { name: "Staff: hold for 3 seconds" });
  await corner.hover();
  await page.mouse.down();
  const settings = page.getByRole("alertdialog", { name: "Device settings" });
  await settings.waitFor();
  await page.mouse.up();
  return settings;
}

/** A first visit at a till (a €300 catering sale, now): enrols the customer by phone; their id once processed. */
export async function enrolAtTill(web: BrowserSystem, phone: string, store: string, label: string): Promise<string> {
  const externalId = `${label}-${Date.now()}`;
  const res = await web.system.post("/v1/transactions", web.tenant.apiKeys.pos, {
    externalId,
    type: "sale",
    occurredAt: new Date().toISOString(),
    locationId: store,
    channel: "pos",
    customer: { phone },
    currency: "EUR",
    lines: [{ sku: "CATERING", name: "Catering", quantity: 1, unitPrice: 30_000, discount: 0 }],
    total: 30_000,
  });
  expect(res.status).toBe(202);
  return (await web.system.processed(web.tenant.apiKeys.admin, externalId)).customerId!;
}

/** On the kiosk's start screen: signs in by typing a phone number. */
export async function signInByPhone(page: Page, phone: string): Promise<void> {
  await page.getByRole("button", { name: "Sign in to collect points" }).click();
  await page.getByRole("button", { name: "Phone number" }).click();
  await page.getByLabel("Phone number", { exact: true }).fill(phone);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
}
