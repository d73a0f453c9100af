import { createDb, type Db } from "@regulars/db";
import { saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

let system: TestSystem;
let db: Db;

beforeAll(async () => {
  // One token per 10 s after the burst: nothing refills while a test runs, however slow the machine.
  system = await startTestSystem({
    RATE_LIMIT_POS: "0.1/4",
    RATE_LIMIT_ADMIN: "0.1/12",
    RATE_LIMIT_APP: "0.1/3",
    MAX_BODY_BYTES: "4096",
    API_MAX_BATCH: "20",
  });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const tenant = (name: string) => testTenant(db, name);
const trpc = async (path: string, key: string, init: RequestInit & { query?: Record<string, string> } = {}) => {
  const url = new URL(`${system.apiUrl}/trpc/${path}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};
const nested = (depth: number) => JSON.parse(`${"[".repeat(depth)}1${"]".repeat(depth)}`);

describe("per-key rate limits", () => {
  it("the gateway answers 429 with Retry-After once a key's burst is spent; other keys are unaffected", async () => {
    const a = await tenant("Busy Burgers");
    const b = await tenant("Quiet Burgers");
    for (let i = 0; i < 4; i++)
      expect((await system.post("/v1/transactions", a.apiKeys.pos, saleBody())).status).toBe(202);
    const res = await fetch(`${system.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.apiKeys.pos}`, "content-type": "application/json" },
      body: JSON.stringify(saleBody()),
    });
    expect(res.status).toBe(429);
    // One token per 10 s: the wait is what is left of those 10 s, which the four posts before used a little of
    // (more than a second on a busy machine). The body names the same wait as the header.
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(await res.json()).toEqual({
      code: "rate_limited",
      message: expect.stringContaining(`retry in ${retryAfter} s`),
      requestId: expect.stringMatching(/^req_/),
    });
    expect((await system.post("/v1/transactions", b.apiKeys.pos, saleBody())).status).toBe(202);
  });

  it("the brand app's backend key is limited too", async () => {
    const a = await tenant("App Burgers");
    const signUp = (n: number) =>
      system.post("/v1/customers", a.apiKeys.app, { externalIdentity: { provider: "apple", subject: `limit.${n}` } });
    for (let n = 0; n < 3; n++) expect((await signUp(n)).status).toBe(201);
    expect((await signUp(3)).status).toBe(429);
  });

  it("tRPC charges one token per call, batches included, and answers 429 in the one error shape", async () => {
    const a = await tenant("Busy Admins");
    const batch = Array.from({ length: 10 }, () => "tenants.me").join(",");
    const input = JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, {}])));
    expect((await trpc(batch, a.apiKeys.admin, { query: { batch: "1", input } })).status).toBe(200);
    expect((await trpc("tenants.me", a.apiKeys.admin)).status).toBe(200);
    expect((await trpc("tenants.me", a.apiKeys.admin)).status).toBe(200);
    const refused = await trpc("tenants.me", a.apiKeys.admin);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1); // what is left of the 10 s
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(10);
    expect(refused.body).toEqual({
      code: "rate_limited",
      message: expect.any(String),
      requestId: expect.stringMatching(/^req_/),
    });
    expect((await trpc("tenants.me", a.apiKeys.analyst)).status).toBe(200); // analyst limits are the default ones
  });
});

describe("request shape limits on tRPC", () => {
  it("a body over MAX_BODY_BYTES gets 413 in the one error shape", async () => {
    const a = await tenant("Big Bodies");
    const res = await trpc("apiKeys.create", a.apiKeys.admin, {
      method: "POST",
      body: JSON.stringify({ role: "pos", label: "x".repeat(5_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: "payload_too_large", requestId: expect.any(String) });
  });

  it("more than API_MAX_BATCH calls in one batch get 400", async () => {
    const a = await tenant("Batchers");
    const batch = Array.from({ length: 21 }, () => "tenants.me").join(",");
    const res = await trpc(batch, a.apiKeys.analyst, { query: { batch: "1", input: "{}" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/at most 20 calls/) });
  });

  it("deeply nested JSON gets 400, not 500, on tRPC (query and mutation) and on the gateway", async () => {
    const a = await tenant("Nesters");
    const query = await trpc("customers.search", a.apiKeys.admin, {
      query: { input: JSON.stringify({ query: "ab", deep: nested(40) }) },
    });
    expect(query.status).toBe(400);
    expect(query.body.code).toBe("invalid_request");
    const mutation = await trpc("apiKeys.create", a.apiKeys.admin, {
      method: "POST",
      body: JSON.stringify({ role: "pos", deep: nested(200) }),
    });
    expect(mutation.status).toBe(400);
    const gateway = await system.post("/v1/transactions", a.apiKeys.pos, { ...saleBody(), deep: nested(200) });
    expect(gateway.status).toBe(400);
    expect(gateway.body.code).toBe("invalid_request");
  });
});

describe("control characters in any tRPC string input", () => {
  const cases: [string, string, unknown, string][] = [
    ["NUL in a search query", "customers.search", { query: "ab\u0000cd" }, "query"],
    ["NUL in a phone", "customers.get", { phone: "+48600\u0000100200" }, "phone"],
    ["a bell in a key label", "apiKeys.create", { role: "pos", label: "till\u0007" }, "label"],
    [
      "a lone surrogate in an adjustment reason",
      "customers.adjust",
      { customerId: "cus_x", amount: 5, reason: "oops \ud800 here" },
      "reason",
    ],
    ["NUL in an object key", "customers.search", { query: "abc", "x\u0000": 1 }, "x\u0000"],
  ];
  it.each(cases)("%s gets 400 with the field path", async (_label, path, input, field) => {
    const a = await tenant("Control Chars");
    const isQuery = path.startsWith("customers.get") || path.startsWith("customers.search");
    const res = isQuery
      ? await trpc(path, a.apiKeys.admin, { query: { input: JSON.stringify(input) } })
      : await trpc(path, a.apiKeys.admin, { method: "POST", body: JSON.stringify(input) });
    expect(res.status).toBe(400);
    expect(res.body.error.data).toMatchObject({
      code: "BAD_REQUEST",
      error: { code: "invalid_request", issues: [expect.objectContaining({ path: field })] },
      requestId: expect.any(String),
    });
  });
});

describe("tRPC latency by procedure", () => {
  it("is exported as regulars_trpc_request_seconds{procedure,code}", async () => {
    const a = await tenant("Measured");
    await trpc("tenants.me", a.apiKeys.analyst);
    await trpc("customers.search", a.apiKeys.analyst, { query: { input: JSON.stringify({ query: "ab" }) } }); // FORBIDDEN
    const counts = (await (await fetch(`${system.apiUrl}/metrics`)).text())
      .split("\n")
      .filter((l) => l.startsWith("regulars_trpc_request_seconds_count{"));
    const count = (procedure: string, code: string) =>
      Number(
        counts
          .find((l) => l.includes(`procedure="${procedure}"`) && l.includes(`code="${code}"`))
          ?.split(" ")
          .pop() ?? 0,
      );
    expect(count("tenants.me", "OK")).toBeGreaterThanOrEqual(1);
    expect(count("customers.search", "FORBIDDEN")).toBeGreaterThanOrEqual(1);
  });
});
