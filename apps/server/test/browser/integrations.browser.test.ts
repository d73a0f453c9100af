import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { saleBody } from "@regulars/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

/** A webhook receiver as a tenant's system would run one: a real HTTP server that answers 200 and remembers. */
interface Received {
  headers: IncomingHttpHeaders;
  body: { type?: string; [key: string]: unknown };
}

function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(raw) });
      res.writeHead(200).end("ok");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/regulars`, received }),
    ),
  );
}

const menuLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name, exact: true });

/** Webhooks, API keys, staff, refused transactions and the SQL console, as an owner and an analyst use them. */
describe("integrations pages in a real browser", () => {
  let web: BrowserSystem;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    // The receiver listens on this machine, which production refuses as an endpoint.
    web = await startBrowserSystem({ WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
  }, 180_000);
  afterAll(async () => {
    await web?.dispose();
    receiver?.server.close();
  });

  it("subscribes an endpoint, sees a sale delivered, replays it, sends a test, rotates, disables and deletes it", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Webhooks").click();
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await page.getByLabel("URL").fill(receiver.url);
    await page.getByRole("checkbox", { name: "transaction.processed" }).check();
    await page.getByRole("button", { name: "Create endpoint" }).click();
    const secret = page.locator("[data-secret]");
    const firstSecret = await secret.textContent();
    expect(firstSecret).toMatch(/^whsec_/);
    await page.getByRole("cell", { name: receiver.url, exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "webhooks");
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect.poll(() => secret.count()).toBe(0);

    await page.getByRole("link", { name: `Manage ${receiver.url}` }).click();
    await page.getByRole("heading", { name: "Deliveries" }).waitFor();
    const sale = saleBody({ customer: { phone: "+48600100200" }, occurredAt: new Date().toISOString() });
    expect((await web.system.post("/v1/transactions", web.tenant.apiKeys.pos, sale)).status).toBe(202);
    await web.system.processed(web.tenant.apiKeys.pos, sale.externalId);

    const deliveries = page.getByRole("table", { name: "Deliveries to this endpoint, newest first" });
    const delivered = deliveries.getByRole("row").filter({ hasText: "transaction.processed" });
    await delivered.getByText("Delivered").waitFor({ timeout: 60_000 });
    const sent = receiver.received.filter((r) => r.body.type === "transaction.processed");
    expect(sent).toHaveLength(1);
    const webhookId = sent[0]!.headers["webhook-id"];
    expect(JSON.stringify(sent[0]!.body)).toContain(sale.externalId);
    await expectAccessible(page);
    await screenshot(page, "admin", "webhook-deliveries");

    await delivered.getByRole("button", { name: /^Replay delivery/ }).click();
    await page.getByText("Queued again").waitFor();
    await expect
      .poll(() => receiver.received.filter((r) => r.headers["webhook-id"] === webhookId).length, { timeout: 30_000 })
      .toBe(2);

    await page.getByRole("button", { name: "Send a test" }).click();
    await expect
      .poll(() => receiver.received.some((r) => r.body.type === "webhook.ping"), { timeout: 30_000 })
      .toBe(true);
    await deliveries.getByRole("row").filter({ hasText: "webhook.ping" }).getByText("Delivered").waitFor();

    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Rotate secret" }).click();
    await page.getByText("New signing secret").waitFor();
    const rotated = await page.locator("[data-secret]").textContent();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(firstSecret);

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByText("Disabled: disabled by an admin").waitFor();
    expect(await page.getByRole("button", { name: "Send a test" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("button", { name: "Disable" }).waitFor();

    await page.getByRole("button", { name: "Delete endpoint" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete endpoint" }).click();
    await page.getByRole("heading", { name: "Endpoints" }).waitFor();
    await page.getByText("Nothing here yet.").waitFor();
    await page.context().close();
  });

  it("creates an API key shown once, rotates it with a grace period and revokes the new one by keyboard", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "API keys").click();
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    await page.getByLabel("Role").selectOption("pos");
    await page.getByLabel("Label").fill("Till 9, browser test");
    await page.getByRole("button", { name: "Create key" }).click();
    const first = (await page.locator("[data-secret]").textContent())!;
    expect(first).toMatch(/^rk_pos_/);
    const rows = page.getByRole("row").filter({ hasText: "Till 9, browser test" });
    await rows.getByText("Active").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "api-keys");
    const postWith = async (key: string) =>
      (await web.system.post("/v1/transactions", key, saleBody({ occurredAt: new Date().toISOString() }))).status;
    expect(await postWith(first)).toBe(202);

    await page.reload();
    await rows.waitFor();
    expect(await page.locator("[data-secret]").count()).toBe(0); // shown once: gone after a reload

    await rows.getByRole("button", { name: "Rotate" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByLabel("Grace period").selectOption({ label: "1 hour" });
    await expectAccessible(page);
    await screenshot(page, "admin", "api-keys-rotate");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    const second = (await page.locator("[data-secret]").textContent())!;
    expect(second).toMatch(/^rk_pos_/);
    expect(second).not.toBe(first);
    // The old key keeps working through the grace period, beside its replacement.
    await rows.filter({ hasText: "Stops working" }).waitFor();
    expect(await postWith(first)).toBe(202);
    expect(await postWith(second)).toBe(202);

    // Escape cancels; Enter opens the dialog again, Tab moves from Cancel to Revoke, Enter confirms.
    const replacement = rows.filter({ hasText: "Active" });
    await replacement.getByRole("button", { name: "Revoke" }).click();
    await dialog.getByText("This cannot be undone").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "api-keys-revoke");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await replacement.getByRole("button", { name: "Revoke" }).focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    // The dialog moves focus to its safe choice once it has opened.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Tab");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Revoke");
    await page.keyboard.press("Enter");
    await rows.filter({ hasText: "Revoked" }).waitFor();
    expect(await postWith(second)).toBe(401);
    await page.context().close();
  });

  it("adds a marketer, who sees neither API keys nor staff, changes their role and removes them", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Staff").click();
    await page.getByRole("heading", { name: "Staff", level: 1 }).waitFor();
    const marketer = {
      email: "new.marketer@browser.test",
      password: "marketer-first-password",
      role: "marketer" as const,
    };
    await page.getByLabel("E-mail").fill(marketer.email);
    await page.getByLabel("Name").fill("Maja Marketing");
    await page.getByLabel("Role", { exact: true }).selectOption("marketer");
    await page.getByLabel("Initial password").fill("short");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    // The server's refusal is shown at the field it is about.
    await page.getByText("must be at least 12 characters").waitFor();
    expect(await page.getByLabel("Initial password").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible(page);
    await screenshot(page, "admin", "staff-field-error");
    await page.getByLabel("Initial password").fill(marketer.password);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const row = page.getByRole("row").filter({ hasText: marketer.email });
    await row.waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "staff");

    const theirs = await web.newPage();
    await signIn(theirs, marketer);
    await menuLink(theirs, "Customers").or(menuLink(theirs, "Dashboard")).first().waitFor();
    expect(await menuLink(theirs, "API keys").count()).toBe(0);
    expect(await menuLink(theirs, "Staff").count()).toBe(0);
    await theirs.goto("/app/api-keys");
    await theirs.getByText("This page does not exist.").waitFor();

    await row.getByLabel("Role of Maja Marketing").selectOption("analyst");
    await row.getByRole("button", { name: "Change role" }).click();
    await row.getByRole("cell", { name: "Analyst", exact: true }).waitFor();

    await row.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
    await row.waitFor({ state: "detached" });
    // Removal ends their sessions: the next load asks them to sign in.
    await theirs.reload();
    await theirs.getByRole("button", { name: "Sign in" }).waitFor();
    await theirs.context().close();
    await page.context().close();
  });

  it("sets the language the brand writes to customers in, audited and kept across a reload", {
    timeout: 120_000,
  }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Brand").click();
    await page.getByRole("heading", { name: "Brand settings", level: 1 }).waitFor();
    await page.getByText("Europe/Warsaw").waitFor();
    const language = page.getByLabel("Language customers are written in");
    expect(await language.inputValue()).toBe("en");
    await language.selectOption({ label: "Polish" });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Customers without a language of their own now get their messages in Polish.").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin", "brand");
    const [tenant] = await web.system.db.$queryRaw<{ language: string }[]>`
      SELECT language FROM tenants WHERE id = ${web.tenant.tenantId}`;
    expect(tenant!.language).toBe("pl");
    const audit = await web.system.db.$queryRaw<{ actor: string; details: unknown }[]>`
      SELECT actor, details FROM audit_log WHERE tenant_id = ${web.tenant.tenantId} AND action = 'tenants.setLanguage'`;
    expect(audit).toEqual([{ actor: expect.stringMatching(/^staff:/), details: { from: "en", to: "pl" } }]);
    await page.reload();
    await page.getByRole("heading", { name: "Brand settings", level: 1 }).waitFor();
    expect(await page.getByLabel("Language customers are written in").inputValue()).toBe("pl");
    // Set back: the other tests of this file read English.
    await page.getByLabel("Language customers are written in").selectOption("en");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("now get their messages in English").waitFor();
    await page.context().close();
  });

  it("lists a transaction the ledger rejected, with its reason, filtered by reason code", {
    timeout: 120_000,
  }, async () => {
    const madeUp = saleBody({
      customer: { id: "cus_0000000000000000000000000" },
      occurredAt: new Date().toISOString(),
    });
    expect((await web.system.post("/v1/transactions", web.tenant.apiKeys.pos, madeUp)).status).toBe(202);
    const pos = web.system.client(web.tenant.apiKeys.pos);
    await expect
      .poll(async () => (await pos.transactions.get.query({ externalId: madeUp.externalId })).status, {
        timeout: 60_000,
      })
      .toBe("rejected");

    const page = await web.newPage();
    await signIn(page, web.staff.owner);
    await menuLink(page, "Dead letters").click();
    await page.getByRole("heading", { name: "Refused transactions", level: 1 }).waitFor();
    const row = page.getByRole("row").filter({ hasText: madeUp.externalId });
    await row.getByText("Unknown customer", { exact: true }).waitFor();
    expect(await row.textContent()).toContain("cus_0000000000000000000000000");
    await expectAccessible(page);
    await screenshot(page, "admin", "dead-letters");

    await page.getByLabel("Reason").selectOption("refunded_sale_not_found");
    await page.getByText("Nothing was refused.").waitFor();
    await page.getByLabel("Reason").selectOption("unknown_customer");
    await row.waitFor();
    await page.context().close();
  });

  it("runs an analyst's query with Ctrl+Enter and shows a refused one's reason", { timeout: 120_000 }, async () => {
    const page = await web.newPage();
    await signIn(page, web.staff.analyst);
    await menuLink(page, "SQL console").click();
    await page.getByRole("heading", { name: "SQL console", level: 1 }).waitFor();
    // The tables an analyst may read, each with its columns behind a disclosure.
    await page.getByText("transaction_lines", { exact: true }).click();
    await page.getByRole("list", { name: "Columns of transaction_lines" }).getByText("sku", { exact: true }).waitFor();
    // The query the console starts with runs as it stands.
    await page.getByRole("button", { name: "Run" }).click();
    const results = page.getByRole("table", { name: "Rows the query answered" });
    await results.getByRole("columnheader", { name: /revenue/ }).waitFor({ timeout: 30_000 });
    const editor = page.getByLabel("Query");
    await editor.fill("SELECT count() AS sales\nFROM transactions\nWHERE type = 'sale'");
    await editor.press("Control+Enter");
    await results.getByRole("columnheader", { name: /sales/ }).waitFor({ timeout: 30_000 });
    await page.getByText("Rows: 1").waitFor();
    expect(await results.getByRole("cell").first().textContent()).toMatch(/^\d+$/);
    await expectAccessible(page);
    await screenshot(page, "admin", "sql-console");

    await editor.fill("SELECT name FROM system.tables");
    await editor.press("Control+Enter");
    const refusal = page.getByRole("alert").filter({ hasText: "The query was refused" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/refused by rule/);
    await expectAccessible(page);
    await screenshot(page, "admin", "sql-console-refused");
    await page.context().close();
  });
});
