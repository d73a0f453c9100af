import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * JSON bodies are UTF-8. Bytes that are not, or a body declared in another charset, were read as U+FFFD and stored
 * with a 2xx: a name or a line other than the one sent. Every route with a JSON body refuses them before reading it.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const receiptsSecret = "body-encoding-receipts-secret";

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ receiptsSecret }));
  tenant = await testTenant(db, "Body Encoding");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : p)));
/** `{"name":"Ab` then 0xC3 0x28 (a lead byte without its continuation), then `"}`. */
const notUtf8 = bytes('{"name":"Ab', [0xc3, 0x28], '"}');

const keyFor = (path: string): string => {
  if (path.startsWith("/v1/messages/receipts")) return receiptsSecret;
  if (path === "/v1/customers/enrolments" || /^\/v1\/(transactions|checkout)/.test(path)) return tenant.apiKeys.pos;
  return tenant.apiKeys.app;
};

const send = async (method: string, path: string, body: Uint8Array | string, contentType: string) => {
  const res = await gateway.request(path, {
    method,
    headers: { authorization: `Bearer ${keyFor(path)}`, "content-type": contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** Every operation the served document gives a JSON request body, with its path parameters filled in. */
const jsonOperations = async () => {
  const res = await gateway.request("/v1/openapi.json");
  const document = (await res.json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.requestBody)
      .map(([method, _]) => ({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, "x1") })),
  );
};

it("refuses a body that is not UTF-8 on every route with a JSON body", async () => {
  const operations = await jsonOperations();
  expect(operations.length).toBeGreaterThanOrEqual(12);
  for (const { method, path } of operations) {
    expect({ method, path, ...(await send(method, path, notUtf8, "application/json")) }).toEqual({
      method,
      path,
      status: 400,
      body: {
        code: "invalid_request",
        message: "the request body is not valid UTF-8",
        issues: [{ path: "(body)", message: "must be valid UTF-8" }],
        requestId: expect.any(String),
      },
    });
  }
});

it("refuses a body declared in another charset with 415, and takes utf-8 however it is spelt", async () => {
  for (const { method, path } of await jsonOperations()) {
    for (const charset of ["iso-8859-1", "windows-1252", '"utf-16le"']) {
      const answer = await send(method, path, "{}", `application/json; charset=${charset}`);
      expect({ method, path, charset, ...answer }).toMatchObject({
        method,
        path,
        charset,
        status: 415,
        body: { code: "unsupported_media_type" },
      });
    }
    // Every WHATWG label of UTF-8, and US-ASCII (a subset of it), in any case, quoted or not.
    for (const charset of [...utf8Labels, "UTF-8", '"utf-8"', '"Unicode20UTF8"', "us-ascii"]) {
      const answer = await send(method, path, "{}", `application/json; charset=${charset}`);
      expect({ method, path, charset, status: answer.status }).not.toMatchObject({ status: 415 });
    }
  }
});

const utf8Labels = ["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"];

it("stores a sale sent under any label of UTF-8, and one in US-ASCII only when its bytes are ASCII", async () => {
  const before = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
  for (const [i, charset] of [...utf8Labels, "UTF8", '"utf8"'].entries()) {
    const sale = JSON.stringify({ ...saleBody(), externalId: `label-sale-${i}` }).replace(
      "Fries large",
      "Frites garçon",
    );
    expect({
      charset,
      ...(await send("POST", "/v1/transactions", sale, `application/json; charset=${charset}`)),
    }).toMatchObject({ charset, status: 202 });
  }
  const ascii = JSON.stringify({ ...saleBody(), externalId: "label-sale-ascii" });
  expect((await send("POST", "/v1/transactions", ascii, "application/json; charset=US-ASCII")).status).toBe(202);
  const accented = JSON.stringify({ ...saleBody(), externalId: "label-sale-accented" }).replace("Fries", "Frités");
  expect(await send("POST", "/v1/transactions", accented, "application/json; charset=us-ascii")).toMatchObject({
    status: 400,
    body: { code: "invalid_request", issues: [{ path: "(body)", message: "must be valid US-ASCII" }] },
  });
  expect((await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages).toBe(before + 9);
});

it("stores nothing for a sale or a name sent in Latin-1 or with broken bytes", async () => {
  const registered = await send(
    "POST",
    "/v1/customers",
    JSON.stringify({ externalIdentity: { provider: "apple", subject: "encoding-1" }, name: "Zoë" }),
    "application/json",
  );
  const id = registered.body.customer.id as string;
  const latin1 = Uint8Array.from(Buffer.from('{"name":"Café Zoë"}', "latin1"));
  expect((await send("PATCH", `/v1/customers/${id}`, latin1, "application/json")).status).toBe(400);
  expect((await send("PATCH", `/v1/customers/${id}`, latin1, "application/json; charset=iso-8859-1")).status).toBe(415);
  expect((await send("PATCH", `/v1/customers/${id}`, notUtf8, "application/json")).status).toBe(400);
  const profile = await gateway.request(`/v1/customers/${id}`, { headers: { authorization: `Bearer ${keyFor("")}` } });
  expect(((await profile.json()) as any).name).toBe("Zoë");

  const before = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
  const sale = JSON.stringify({ ...saleBody(), externalId: "encoding-sale-1" }).replace("Fries large", "Frites garçon");
  expect(sale).toContain("garçon");
  const cp1252 = Uint8Array.from(Buffer.from(sale, "latin1"));
  expect((await send("POST", "/v1/transactions", cp1252, "application/json; charset=windows-1252")).status).toBe(415);
  expect((await send("POST", "/v1/transactions", cp1252, "application/json")).status).toBe(400);
  expect((await send("POST", "/v1/transactions", sale, "application/json; charset=utf-8")).status).toBe(202);
  expect((await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages).toBe(before + 1);
});
