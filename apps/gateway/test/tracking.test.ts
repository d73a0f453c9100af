import { RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import { createDb, type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { queueCampaignMessage } from "@regulars/messages-store";
import { makeLinkToken, makeOpenToken } from "@regulars/messaging";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { transparentGif } from "../src/routes/tracking.ts";
import { gatewayDeps, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

// The tracker on an in-process gateway over real Postgres: a click is recorded once per link and redirected only
// to the signed destination; an open pixel always answers the image and records once; providers' receipts.

let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenantId: string;
let keys: Awaited<ReturnType<typeof testTenant>>["apiKeys"];
const secret = "tracking-test-secret-at-least-32-characters";
const receiptsSecret = "receipts-test-secret-at-least-32-characters";
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now, linkSecrets: [secret], receiptsSecret }));
  ({ tenantId, apiKeys: keys } = await testTenant(db, "Tracker Grill"));
});
afterAll(() => stopGateway({ gateway, bus, db }));

/** An e-mail queued a year ahead (no sender takes it) with two links and an open pixel. */
async function queuedEmail(): Promise<{ id: string; html: string }> {
  const customerId = (
    await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({
        externalIdentity: { provider: "brand", subject: `tracker-${newId("request")}` },
        name: "Ada",
        email: "ada@example.com",
      }),
      { actor: "key_app", source: "app", now },
    )
  ).customer.id;
  const templateId = newId("messageTemplate");
  await db.messageTemplate.create({
    data: {
      id: templateId,
      tenantId,
      name: "tracked",
      channel: "email",
      createdBy: "test",
      variants: [
        {
          channel: "email",
          language: "en",
          subject: "Fries",
          body: '<html><body><a href="https://brand.example/menu?a=1&amp;b=2">Menu</a> <a href="https://brand.example/app">App</a></body></html>',
        },
      ],
    },
  });
  const campaignId = newId("campaign");
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: "c",
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "t",
    },
  });
  const queued = await withTransaction(db, (tx) =>
    queueCampaignMessage(
      tx,
      {
        tenantId,
        customerId,
        campaignId,
        stepKey: `cst_${newId("request")}`,
        templateId,
        channel: "email",
        sendAt: new Date(Date.now() + 365 * 86_400_000),
      },
      { tracking: { publicUrl: "https://go.brand.example", secrets: [secret], opens: true } },
    ),
  );
  const id = queued.messageId!;
  const html = ((await db.message.findUniqueOrThrow({ where: { id } })).content as { html: string }).html;
  return { id, html };
}

const pathsIn = (html: string) =>
  [...html.matchAll(/https:\/\/go\.brand\.example(\/v1\/m\/[co]\/[^"]+)"/g)].map((m) => m[1]!);
const get = (path: string) => gateway.request(path, { redirect: "manual" });
const row = (id: string) => db.message.findUniqueOrThrow({ where: { id } });
const eventsOf = async (id: string, type: string) =>
  (await db.outboxEvent.findMany({ where: { tenantId, type, payload: { path: ["messageId"], equals: id } } })).map(
    (e) => e.payload as { id: string; url?: string; campaignId: string | null; channel: string },
  );

describe("GET /v1/m/c/{token}", () => {
  it("records a click once per link and redirects to the address the message was written with", async () => {
    const { id, html } = await queuedEmail();
    const [menu, app] = pathsIn(html).filter((p) => p.startsWith("/v1/m/c/"));
    const first = await get(menu!);
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("https://brand.example/menu?a=1&b=2");
    const clicked = await row(id);
    expect(clicked).toMatchObject({ status: "clicked", clickedAt: now, openedAt: now });

    for (let i = 0; i < 3; i++)
      expect((await get(menu!)).headers.get("location")).toBe("https://brand.example/menu?a=1&b=2");
    expect(await eventsOf(id, "message.clicked")).toEqual([
      expect.objectContaining({ url: "https://brand.example/menu?a=1&b=2", channel: "email" }),
    ]);
    expect((await get(app!)).headers.get("location")).toBe("https://brand.example/app");
    expect((await eventsOf(id, "message.clicked")).map((e) => e.url).sort()).toEqual([
      "https://brand.example/app",
      "https://brand.example/menu?a=1&b=2",
    ]);
  });

  it("answers a page and no redirect for a token that was changed, made with another secret, or is not one", async () => {
    const { id, html } = await queuedEmail();
    const [menu] = pathsIn(html);
    const token = menu!.split("/").at(-1)!;
    const [payload, mac] = token.split(".") as [string, string];
    const otherUrl = Buffer.from(`${id}\nhttps://evil.example/`).toString("base64url");
    const attempts = [
      `/v1/m/c/${otherUrl}.${mac}`,
      // The first character carries six bits of the MAC: another one always changes it (the last may only pad).
      `/v1/m/c/${payload}.${mac.startsWith("A") ? "B" : "A"}${mac.slice(1)}`,
      `/v1/m/c/${makeLinkToken(["another-secret-that-is-32-characters-long"], id, "https://evil.example/")}`,
      "/v1/m/c/not-a-token",
      `/v1/m/c/${makeLinkToken([secret], id, "javascript:alert(1)")}`,
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("This link does not work");
    }
    expect((await row(id)).status).toBe("queued");
    expect(await eventsOf(id, "message.clicked")).toEqual([]);
  });

  it("still redirects a signed link whose message is gone", async () => {
    const res = await get(`/v1/m/c/${makeLinkToken([secret], "msg_gone", "https://brand.example/old")}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://brand.example/old");
  });

  it("redirects even when the click cannot be recorded (the database is unreachable)", async () => {
    const unreachable = createDb({ url: "postgres://regulars:none@127.0.0.1:1/none", poolSize: 1 });
    const cut = createGatewayApp(gatewayDeps(unreachable, bus, { db: unreachable, linkSecrets: [secret] }));
    try {
      const started = Date.now();
      const res = await cut.request(`/v1/m/c/${makeLinkToken([secret], "msg_x", "https://brand.example/menu")}`, {
        redirect: "manual",
      });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("https://brand.example/menu");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await cut.stop();
      await unreachable.$disconnect();
    }
  });

  it("percent-encodes a destination a header could not carry as written", async () => {
    const res = await get(`/v1/m/c/${makeLinkToken([secret], "msg_gone", "https://brand.example/menü dnia")}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://brand.example/men%C3%BC%20dnia");
  });
});

describe("GET /v1/m/o/{token}.gif", () => {
  it("answers a 1×1 GIF always and records the open once; a later open never lowers a click", async () => {
    const { id, html } = await queuedEmail();
    const pixel = pathsIn(html).find((p) => p.startsWith("/v1/m/o/"))!;
    for (const path of [pixel, `${pixel}.gif`, `${pixel}.gif`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
      expect(Buffer.from(await res.arrayBuffer())).toEqual(transparentGif);
    }
    expect(await row(id)).toMatchObject({ status: "opened", openedAt: now });
    expect(await eventsOf(id, "message.opened")).toHaveLength(1);

    await get(pathsIn(html)[0]!);
    await get(pixel);
    expect((await row(id)).status).toBe("clicked");

    const bad = await get("/v1/m/o/garbage.gif");
    expect(bad.status).toBe(200);
    expect(bad.headers.get("content-type")).toBe("image/gif");
    const foreign = await get(`/v1/m/o/${makeOpenToken(["another-secret-that-is-32-characters-long"], id)}.gif`);
    expect(foreign.status).toBe(200);
    expect(await eventsOf(id, "message.opened")).toHaveLength(1);
  });
});

describe("POST /v1/messages/receipts/{provider}", () => {
  const receipt = (provider: string, body: unknown, key = receiptsSecret) =>
    gateway.request(`/v1/messages/receipts/${provider}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it("records a provider's delivery once, only for a message that provider sent, with the receipts secret", async () => {
    const { id } = await queuedEmail();
    await db.message.update({ where: { id }, data: { status: "sent", provider: "smtp", sentAt: now } });
    expect((await receipt("smtp", { messageId: id, status: "delivered" }, "wrong-secret")).status).toBe(401);
    expect((await receipt("http-sms", { messageId: id, status: "delivered" })).status).toBe(404);
    const res = await receipt("smtp", { messageId: id, status: "delivered" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "delivered" });
    await receipt("smtp", { messageId: id, status: "delivered" });
    expect(await row(id)).toMatchObject({ status: "delivered", deliveredAt: now });
    expect(await eventsOf(id, "message.delivered")).toHaveLength(1);
    // A bounce after the delivery changes nothing.
    await receipt("smtp", { messageId: id, status: "failed", code: "bounced" });
    expect((await row(id)).status).toBe("delivered");
    expect(await eventsOf(id, "message.failed")).toEqual([]);
  });

  it("records a bounce as failed with its code and message.failed", async () => {
    const { id } = await queuedEmail();
    await db.message.update({ where: { id }, data: { status: "sent", provider: "smtp", sentAt: now } });
    const res = await receipt("smtp", { messageId: id, status: "failed", code: "bounced", reason: "mailbox full" });
    expect(res.status).toBe(202);
    expect(await row(id)).toMatchObject({ status: "failed", failureCode: "bounced", failedAt: now });
    expect(await eventsOf(id, "message.failed")).toEqual([
      expect.objectContaining({ code: "bounced", reason: "mailbox full" }),
    ]);
  });

  it("refuses text Postgres cannot store with a 400 that names the field, not a 500", async () => {
    const refused = [
      { body: { messageId: "msg_\u0000", status: "delivered" }, field: "messageId" },
      { body: { messageId: "msg_x", status: "failed", reason: "full\u0000" }, field: "reason" },
    ];
    for (const { body, field } of refused) {
      const res = await receipt("smtp", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([field]);
    }
  });
});

describe("the OpenAPI document", () => {
  it("describes the tracker and the receipts", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/m/c/{token}", "/v1/m/o/{token}", "/v1/messages/receipts/{provider}"]),
    );
  });
});

describe("the OpenAPI document of these routes and the DELETEs beside them", () => {
  it("documents the pixel an open token gets on the click path, and a DELETE's body over the limit (413)", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    expect(doc.paths["/v1/m/c/{token}"].get.responses["200"].content).toHaveProperty("image/gif");
    const deletes = [
      { path: "/v1/checkout/holds/{holdId}", key: keys.kiosk },
      { path: "/v1/customers/{customerId}/push-tokens/{deviceId}", key: keys.app },
    ];
    for (const { path, key } of deletes) {
      expect(Object.keys(doc.paths[path].delete.responses)).toContain("413");
      const res = await gateway.request(path.replace(/\{\w+\}/g, "x"), {
        method: "DELETE",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: "x".repeat(1_100_000),
      });
      expect(res.status).toBe(413);
    }
  });
});
