import { type Db, Prisma } from "@regulars/db";
import { newId } from "@regulars/ids";
import { queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nameContains } from "../src/customers/customers.queries.ts";
import { tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("finds a name typed without its accents, and a plain name typed with them, in any case, in the tenant only", async () => {
  const t = await tenantCallers(db, "Search Accents");
  const other = await tenantCallers(db, "Other Search Accents");
  const named = async (tenantId: string, name: string) => {
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId, name, createdVia: "test" } });
    return id;
  };
  // Ł and Ø are letters of their own to Unicode, not a letter and a mark: NFD leaves them whole.
  const jan = await named(t.tenantId, "Jan Łukasiewicz");
  const jose = await named(t.tenantId, "José Álvarez");
  const plainJose = await named(t.tenantId, "Jose Plain");
  const muller = await named(t.tenantId, "Jürgen Müller");
  const soren = await named(t.tenantId, "Søren Ødegård");
  const strasse = await named(t.tenantId, "Café Straße");
  await named(other.tenantId, "Jan Łukasiewicz");
  await named(other.tenantId, "José Álvarez");

  const found = async (query: string) =>
    (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id).toSorted();
  const expected: [string, string[]][] = [
    ["Lukasiewicz", [jan]],
    ["lukasiewicz", [jan]],
    ["ŁUKASIEWICZ", [jan]],
    ["łukas", [jan]],
    ["Jose", [jose, plainJose]],
    ["josé", [jose, plainJose]],
    ["alvarez", [jose]],
    ["muller", [muller]],
    ["MÜLLER", [muller]],
    ["jurgen m", [muller]],
    ["soren", [soren]],
    ["Sören", [soren]],
    ["odegard", [soren]],
    ["strasse", [strasse]],
    ["cafe", [strasse]],
  ];
  for (const [query, ids] of expected) expect(await found(query), query).toEqual(ids.toSorted());
});

it("pages through accented and plain spellings of one name, newest first, none lost or repeated", async () => {
  const t = await tenantCallers(db, "Search Accents Pages");
  const now = Date.now();
  const made = Array.from({ length: 12 }, (_, i) => ({
    id: newId("customer"),
    tenantId: t.tenantId,
    name: i % 2 ? `Zoë Pagé ${i}` : `Zoe Page ${i}`,
    createdVia: "test",
    createdAt: new Date(now - 60_000 * Math.max(i, 8)),
  }));
  await db.customer.createMany({ data: made });

  const seen: string[] = [];
  let cursor: string | null | undefined;
  let pages = 0;
  do {
    const page = await t.admin.customers.search({ query: "ZOE PAGE", limit: 5, cursor });
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);

  expect(pages).toBe(3);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.toSorted()).toEqual(made.map((c) => c.id).toSorted());
  const createdAt = new Map(made.map((c) => [c.id, c.createdAt.getTime()]));
  const times = seen.map((id) => createdAt.get(id)!);
  expect(times).toEqual(times.toSorted((a, b) => b - a));
});

it("reads a full-width ％ or ＿ as typed, though folding makes it a wildcard", async () => {
  const t = await tenantCallers(db, "Search Accents Wildcards");
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId: t.tenantId, name: "Anna Nowak", createdVia: "test" } });
  const found = async (query: string) => (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id);
  for (const query of ["％％", "＿＿", "a％k"]) expect(await found(query), query).toEqual([]);
  expect(await found("nowák")).toEqual([id]);
});

it("answers the search's name condition from a trigram index of the folded name", async () => {
  // Without sequential scans the plan shows whether an index answers the condition at all, as for a big tenant.
  const plan = await queryPlan(db, Prisma.sql`SELECT id FROM customers WHERE ${nameContains("łukas")}`, true);
  expect(plan.flatMap((n) => n["Index Name"] ?? [])).toContain("customers_name_unaccented_trgm_idx");
});
