import { createDb, type Db } from "@regulars/db";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { saleBody, startTcpProxy, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { gatewayDeps, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * What an integrator meets at the door before any business rule: content types, empty and broken
 * bodies, the words of a refused field, and an OpenAPI document whose examples follow the gateway's
 * clock. A real bus and database behind an in-process gateway.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
// Far from the machine's clock, so an example that ignored the gateway's clock could not pass.
const pinnedNow = new Date(Date.now() + 400 * 86_400_000);
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => pinnedNow }, { withDb: false }));
  tenant = await testTenant(db, "Door Edges");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = async (path: string, body: string | undefined, headers: Record<string, string>) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const storedMessages = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
const json = { "content-type": "application/json" };

describe("a POST body must be declared JSON", () => {
  const refused: [string, Record<string, string>][] = [
    ["no content-type", {}],
    ["text/plain", { "content-type": "text/plain" }],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }],
    ["multipart", { "content-type": "multipart/form-data; boundary=x" }],
    ["json spelled wrong", { "content-type": "application/jsn" }],
  ];
  it.each(refused)("%s gets 415 unsupported_media_type in the one error body", async (_name, headers) => {
    for (const path of ["/v1/transactions", "/v1/events"]) {
      const res = await post(path, JSON.stringify(saleBody()), headers);
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        code: "unsupported_media_type",
        message: expect.stringMatching(/content-type: application\/json/),
        requestId: expect.stringMatching(/^req_/),
      });
    }
  });

  it("accepts application/json with a charset", async () => {
    expect(
      (
        await post("/v1/transactions", JSON.stringify(saleBody({ occurredAt: pinnedNow.toISOString() })), {
          "content-type": "application/json; charset=utf-8",
        })
      ).status,
    ).toBe(202);
  });

  it("an empty body is a 400 that says so; broken JSON a 400 that says so; neither is stored", async () => {
    const before = await storedMessages();
    const empty = await post("/v1/transactions", "", json);
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/body is empty/) });
    const broken = await post("/v1/transactions", '{"externalId": "x",', json);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/not valid JSON/) });
    expect(await storedMessages()).toBe(before);
  });

  it("broken JSON reads the same whether the route parses its body itself or Hono's validator does", async () => {
    const expected = {
      code: "invalid_request",
      message: "the request body is not valid JSON",
      issues: [{ path: "(body)", message: "must be valid JSON" }],
      requestId: expect.stringMatching(/^req_/),
    };
    for (const path of ["/v1/transactions", "/v1/events"]) {
      const broken = await post(path, '{"externalId": "x",', json);
      expect(broken.status).toBe(400);
      expect(broken.body).toEqual(expected);
    }
  });
});

describe("a refusal sent before the body is read closes the connection", () => {
  it("too large by content-length, and no key: `connection: close`; a refusal after reading keeps it open", async () => {
    const large = "x".repeat(300 * 1024);
    const tooLarge = await gateway.request("/v1/transactions", {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${tenant.apiKeys.pos}`, "content-length": String(large.length) },
      body: large,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("connection")).toBe("close");
    const noKey = await gateway.request("/v1/transactions", {
      method: "POST",
      headers: json,
      body: JSON.stringify(saleBody()),
    });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("connection")).toBe("close");
    const read = await gateway.request("/v1/transactions", {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${tenant.apiKeys.pos}` },
      body: "{}",
    });
    expect(read.status).toBe(400);
    expect(read.headers.get("connection")).toBeNull();
  });
});

describe("what no route reads", () => {
  it("a body over the limit on a path no route serves is refused before it is read", async () => {
    const large = "x".repeat(300 * 1024);
    for (const path of ["/v1/nope", "/v1/transactions/", "/v1/docs"]) {
      const res = await gateway.request(path, { method: "POST", headers: json, body: large });
      expect([path, res.status, ((await res.json()) as { code: string }).code]).toEqual([
        path,
        413,
        "payload_too_large",
      ]);
    }
  });
});

describe("Postgres out of reach", () => {
  it("answers 503 unavailable, which clients retry, not a 500", async () => {
    const pg = new URL(testDatabaseUrl());
    const proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    const unreachable = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 1 });
    await proxy.refuse();
    const cut = createGatewayApp(gatewayDeps(unreachable, bus));
    try {
      const res = await cut.request("/v1/transactions", {
        method: "POST",
        headers: { ...json, authorization: `Bearer ${tenant.apiKeys.pos}` },
        body: JSON.stringify(saleBody()),
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: "unavailable", requestId: expect.stringMatching(/^req_/) });
    } finally {
      await unreachable.$disconnect().catch(() => undefined);
      await proxy.close();
    }
  });
});

describe("refused fields read as an integrator would say them", () => {
  it("missing, wrongly typed and out-of-list values", async () => {
    const {
      total: _,
      externalId: __,
      ...body
    } = saleBody({ occurredAt: pinnedNow.toISOString() }) as Record<string, any>;
    const res = await post(
      "/v1/transactions",
      JSON.stringify({ ...body, type: "return", lines: [{ ...body.lines[0], quantity: "2" }] }),
      json,
    );
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { path: "externalId", message: "required" },
        { path: "total", message: "required" },
        { path: "type", message: "must be one of: sale, refund" },
        { path: "lines.0.quantity", message: "must be a number, not a string" },
      ]),
    );
    expect(JSON.stringify(res.body)).not.toMatch(/Invalid input|expected .*, received/);
  });

  it("an occurredAt offset no place uses (+20:00) is a 400 naming occurredAt, alone or in a batch; nothing is stored", async () => {
    // A minute before the gateway's clock, written with a +20:00 offset: inside the window, but Postgres cannot store it.
    const wallClock = new Date(pinnedNow.getTime() - 60_000 + 20 * 3_600_000).toISOString().replace("Z", "+20:00");
    const sale = saleBody({ occurredAt: wallClock });
    const before = await storedMessages();
    const single = await post("/v1/transactions", JSON.stringify(sale), json);
    expect(single.status).toBe(400);
    expect(single.body).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("occurredAt"),
      issues: [{ path: "occurredAt", message: expect.stringMatching(/UTC offset from -12:00 to \+14:00/) }],
    });
    const batch = await post("/v1/transactions/batch", JSON.stringify({ transactions: [sale] }), json);
    expect(batch.body.results).toEqual([
      expect.objectContaining({
        status: "invalid",
        error: expect.objectContaining({ issues: [expect.objectContaining({ path: "occurredAt" })] }),
      }),
    ]);
    expect(await storedMessages()).toBe(before);
  });

  it("a coupon code that can be no code is a 400 naming its item; one typed with a typographic dash is accepted", async () => {
    const occurredAt = pinnedNow.toISOString();
    const before = await storedMessages();
    const bad = await post(
      "/v1/transactions",
      JSON.stringify(saleBody({ occurredAt, couponCodes: ["WELCOME-7KQ4", "10% OFF"] })),
      json,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: "couponCodes.1", message: "use 3-64 letters, digits or '-'" }]);
    expect(await storedMessages()).toBe(before);
    const typed = await post(
      "/v1/transactions",
      JSON.stringify(saleBody({ occurredAt, couponCodes: [" welcome\u20137kq4 "] })),
      json,
    );
    expect(typed.status).toBe(202);
  });
});

describe("the OpenAPI document", () => {
  const documentAt = async () => (await (await gateway.request("/v1/openapi.json")).json()) as any;
  const examplesOf = (doc: any, path: string) =>
    Object.values(
      doc.paths[path].post.requestBody.content["application/json"].examples as Record<string, { value: any }>,
    ).map((e) => e.value);

  it("dates its examples by the gateway's clock, and each serving gets fresh idempotency keys", async () => {
    const first = await documentAt();
    for (const example of [...examplesOf(first, "/v1/transactions"), ...examplesOf(first, "/v1/events")]) {
      const age = pinnedNow.getTime() - Date.parse(example.occurredAt);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(3_600_000);
    }
    const [sale, refund] = examplesOf(first, "/v1/transactions");
    expect(refund.refundOf).toBe(sale.externalId);
    for (const example of examplesOf(first, "/v1/transactions")) {
      expect((await post("/v1/transactions", JSON.stringify(example), json)).status).toBe(202);
    }
    pinnedNow.setTime(pinnedNow.getTime() + 1_000);
    const second = await documentAt();
    expect(examplesOf(second, "/v1/transactions")[0].externalId).not.toBe(sale.externalId);
    expect(Date.parse(examplesOf(second, "/v1/transactions")[0].occurredAt) - Date.parse(sale.occurredAt)).toBe(1_000);
  });

  it("its event examples are accepted as served with a pos, a kiosk or an app key", async () => {
    const examples = examplesOf(await documentAt(), "/v1/events");
    expect(examples.length).toBeGreaterThan(0);
    for (const role of ["pos", "kiosk", "app"] as const) {
      for (const example of examples) {
        // Each key records the event with its own channel: under one eventId, the second key's would be a changed body.
        const body = JSON.stringify({ ...example, eventId: `${example.eventId}-${role}` });
        const res = await post("/v1/events", body, { ...json, authorization: `Bearer ${tenant.apiKeys[role]}` });
        expect(res.status, `${role} key, ${example.type}: ${JSON.stringify(res.body)}`).toBe(202);
      }
    }
  });

  it("names the gateway itself as its server, behind a proxy too", async () => {
    expect((await documentAt()).servers).toEqual([{ url: "http://localhost", description: "This gateway" }]);
    const proxied = await gateway.request("/v1/openapi.json", {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "api.example.com" },
    });
    expect(((await proxied.json()) as any).servers[0].url).toBe("https://api.example.com");
  });
});

describe("CORS: the kiosk web app posts from a browser, tills post from anywhere", () => {
  const sale = () => JSON.stringify(saleBody({ occurredAt: pinnedNow.toISOString() }));

  it("a browser's POST (it sends Origin) gets the CORS headers with its 202", async () => {
    const res = await gateway.request("/v1/transactions", {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, origin: "https://kiosk.example.com", ...json },
      body: sale(),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id,retry-after");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("a browser's refused POST carries them too, so the page can read the error", async () => {
    const res = await gateway.request("/v1/transactions/batch", {
      method: "POST",
      headers: { authorization: "Bearer wrong", origin: "https://kiosk.example.com", ...json },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("a preflight is answered without a key", async () => {
    const res = await gateway.request("/v1/transactions", {
      method: "OPTIONS",
      headers: {
        origin: "https://kiosk.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization,content-type,x-request-id");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it("a till's POST (no Origin) is answered without them, request id and all", async () => {
    const res = await gateway.request("/v1/transactions", {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, ...json },
      body: sale(),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("each guard runs once per request", () => {
  /** Counts key lookups: the guard that needs one runs once, however many route patterns match the path. */
  class CountingCredentials extends CredentialCache {
    lookups = 0;
    override resolve(key: string) {
      this.lookups++;
      return super.resolve(key);
    }
  }

  it("looks the key up once for a single POST and once for a batch", async () => {
    const credentials = new CountingCredentials(db, 60_000);
    const counted = createGatewayApp(gatewayDeps(db, bus, { credentials, now: () => pinnedNow }));
    const send = (path: string, body: unknown) =>
      counted.request(path, {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, ...json },
        body: JSON.stringify(body),
      });
    const at = pinnedNow.toISOString();
    expect((await send("/v1/transactions", saleBody({ occurredAt: at }))).status).toBe(202);
    expect(credentials.lookups).toBe(1);
    const batch = await send("/v1/transactions/batch", { transactions: [saleBody({ occurredAt: at })] });
    expect(batch.status).toBe(202);
    expect(credentials.lookups).toBe(2);
  });
});
