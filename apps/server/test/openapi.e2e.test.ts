import { validate } from "@readme/openapi-parser";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/** The OpenAPI document is what an integrator builds a client from: it must be valid, complete and true. */
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;
let doc: any;

beforeAll(async () => {
  system = await startTestSystem({}, ["gateway"]);
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Spec Readers");
  doc = await (await fetch(`${system.gatewayUrl}/v1/openapi.json`)).json();
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

type Schema = Record<string, any>;
const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, Schema>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
  );
const component = (ref: string): Schema => doc.components.schemas[ref.replace("#/components/schemas/", "")];

/** Every property of every schema, nested ones included, with the dotted path that leads to it. */
function* properties(schema: Schema, at: string): Generator<[string, Schema]> {
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    yield [`${at}.${name}`, property];
    yield* properties(property, `${at}.${name}`);
    if (property.items) yield* properties(property.items, `${at}.${name}[]`);
  }
}
/** A field documents itself, or refers to a named schema that does (possibly "or null"). */
const described = (property: Schema): boolean =>
  typeof property.description === "string" && property.description.length > 10
    ? true
    : property.$ref
      ? described(component(property.$ref))
      : Array.isArray(property.anyOf) && property.anyOf.some((p: Schema) => p.$ref && described(component(p.$ref)));

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document by an independent validator", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc));
    expect(result).toMatchObject({ valid: true, warnings: [] });
  });

  it("names the schemas an integrator generates types from, and every request body refers to one", () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        "TransactionInput",
        "TransactionLine",
        "CustomerRef",
        "ExternalIdentity",
        "Channel",
        "BehaviouralEventInput",
        "ErrorBody",
        "FieldIssue",
      ]),
    );
    expect(doc.paths["/v1/transactions"].post.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/TransactionInput",
    });
    expect(doc.paths["/v1/events"].post.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/BehaviouralEventInput",
    });
    // A field that describes itself still refers to the named schema instead of an inlined copy.
    expect(doc.components.schemas.TransactionInput.properties.customer.anyOf).toEqual([
      { $ref: "#/components/schemas/CustomerRef" },
      { type: "null" },
    ]);
  });

  it("describes every field of every schema", () => {
    const undescribed: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Schema>)) {
      if (!described(schema)) undescribed.push(name);
      for (const [path, property] of properties(schema, name)) if (!described(property)) undescribed.push(path);
    }
    expect(undescribed).toEqual([]);
  });

  it("states the rules no JSON Schema keyword can: money, identity, refunds, the accepted window", () => {
    const { TransactionInput, TransactionLine, CustomerRef } = doc.components.schemas;
    expect(TransactionInput.description).toMatch(/total.*sum of the lines after discounts/);
    expect(TransactionInput.properties.total.description).toMatch(/minor units/);
    expect(TransactionLine.properties.unitPrice.description).toMatch(/minor units/);
    expect(TransactionLine.properties.discount.description).toMatch(/whole line.*at most quantity × unitPrice/);
    expect(CustomerRef.description).toMatch(/exactly one identity/);
    expect(TransactionInput.properties.refundOf.description).toMatch(/Only and always on a refund/);
    expect(TransactionLine.description).toMatch(/lineNo/);
    expect(TransactionInput.properties.occurredAt.description).toMatch(/35 days in the past.*5 minutes ahead/);
  });

  it("names the gateway it was served by as its server", () => {
    expect(doc.servers).toEqual([{ url: system.gatewayUrl, description: expect.any(String) }]);
  });

  it("gives every operation a unique operationId, a tag, the bearer scheme and every error answer with the one error body", () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    const declaredTags = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const { name, operation } of operations()) {
      expect(operation.tags?.length, name).toBeGreaterThan(0);
      for (const tag of operation.tags) expect(declaredTags.has(tag), `${name} tag ${tag}`).toBe(true);
      expect(operation.security, name).toEqual([{ apiKey: [] }]);
      for (const status of ["400", "401", "403", "413", "415", "429", "500", "503"].filter(
        (s) => operation.requestBody || !["413", "415"].includes(s),
      )) {
        expect(operation.responses[status]?.content?.["application/json"]?.schema, `${name} ${status}`).toEqual({
          $ref: "#/components/schemas/ErrorBody",
        });
      }
    }
  });

  it("has request examples a POS key can post as they are, today", async () => {
    // Served now, so dated now: the same document read next month would carry next month's dates.
    const fresh = (await (await fetch(`${system.gatewayUrl}/v1/openapi.json`)).json()) as any;
    let posted = 0;
    for (const { name, operation } of operations()) {
      const examples = operation.requestBody?.content?.["application/json"]?.examples as
        | Record<string, { value: unknown }>
        | undefined;
      // Identity tokens are for app keys and name existing customers: gateway/test/identity-tokens.test.ts posts those.
      // Checkout examples name a member with points and a coupon: checkout.e2e.test.ts posts those.
      // Customer routes are for app keys and name a registered customer: gateway/test/customers.test.ts posts those.
      const elsewhere = ["Identity", "Checkout", "Customers"];
      if (!operation.requestBody || operation.tags.some((t: string) => elsewhere.includes(t))) continue;
      expect(Object.keys(examples ?? {}).length, name).toBeGreaterThan(0);
      const path = name.split(" ")[1]!;
      for (const [exampleName, { value }] of Object.entries(
        fresh.paths[path].post.requestBody.content["application/json"].examples as Record<string, { value: unknown }>,
      )) {
        const res = await system.post(path, tenant.apiKeys.pos, value);
        // A batch answers per transaction: every one of the example's accepted, none a duplicate.
        const batch = (value as { transactions?: unknown[] }).transactions;
        const accepted = batch
          ? { accepted: batch.length, duplicates: 0, invalid: 0 }
          : { status: "accepted", duplicate: false };
        expect({ example: `${name} ${exampleName}`, status: res.status, body: res.body }).toMatchObject({
          status: 202,
          body: accepted,
        });
        posted++;
      }
    }
    expect(posted).toBeGreaterThanOrEqual(5);
  });
});
