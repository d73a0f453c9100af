import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("finds a customer by any part of the name, or by the start of the phone, card or e-mail, in the tenant only", async () => {
  const t = await tenantCallers(db, "Search Burgers");
  const other = await tenantCallers(db, "Other Search Burgers");
  const anna = newId("customer");
  await db.customer.create({
    data: {
      id: anna,
      tenantId: t.tenantId,
      name: "Anna Maria Kowalska",
      email: "Anna.K@Example.com",
      phone: "+48600555101",
      cardNumber: "CARD-SEARCH-77",
      createdVia: "test",
    },
  });
  await db.customer.create({
    data: { id: newId("customer"), tenantId: other.tenantId, name: "Anna Kowalska", createdVia: "test" },
  });
  const found = async (query: string) => (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id);
  for (const query of ["kowal", "MARIA", "+48600555", "CARD-SEARCH", "anna.k@example", anna]) {
    expect(await found(query), query).toEqual([anna]);
  }
  // Phones, cards and e-mails by their start only: a fragment from the middle is not a lookup.
  for (const query of ["0555101", "SEARCH-77", "example.com"]) expect(await found(query), query).toEqual([]);
});

it("finds a phone typed the way people write it, with or without its country code, and a card in any case", async () => {
  const t = await tenantCallers(db, "Search Typed Phones");
  const ola = newId("customer");
  await db.customer.create({
    data: { id: ola, tenantId: t.tenantId, phone: "+48600100200", cardNumber: "CARD-000417", createdVia: "test" },
  });
  const found = async (query: string) => (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id);
  const typed = [
    "+48 600 100 200",
    "48600100200",
    "600100200",
    "600 100 200",
    "600-100-200",
    "(600) 100.200",
    "0048 600",
  ];
  for (const query of [...typed, "600 100", "card-000417", "Card-0004"])
    expect(await found(query), query).toEqual([ola]);
  // Still by the start: the number's middle, or its national part under the wrong country code, is not it.
  for (const query of ["100 200", "+49 600 100 200", "+48 100 200"]) expect(await found(query), query).toEqual([]);
});

it("finds a customer by either spelling of their number typed with its code: the till's 0 after +48, or none", async () => {
  const t = await tenantCallers(db, "Search Phone Spellings");
  // A till's sale naming +480604100077 stores its customer under the valid spelling, and the other way round.
  const fromTill = newId("customer");
  const fromApp = newId("customer");
  await db.customer.createMany({
    data: [
      { id: fromTill, tenantId: t.tenantId, phone: "+48604100077", createdVia: "test" },
      { id: fromApp, tenantId: t.tenantId, phone: "+480605200088", createdVia: "test" },
    ],
  });
  const found = async (query: string) => (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id);
  for (const query of ["+48 0604 100 077", "+480604100077", "0048 0604 100 077", "+48 604 100 077"])
    expect(await found(query), query).toEqual([fromTill]);
  for (const query of ["+48 605 200 088", "+48 0605 200 088"]) expect(await found(query), query).toEqual([fromApp]);
  // Only a whole number has another spelling: a start is still a start of the number as typed.
  expect(await found("+48 0604 100")).toEqual([]);
});

it("looks up a number typed as a phone, a card or an e-mail's start, never inside names", async () => {
  const t = await tenantCallers(db, "Search Numbers Not Names");
  const ids = { named: newId("customer"), phoned: newId("customer"), carded: newId("customer") };
  await db.customer.createMany({
    data: [
      { id: ids.named, tenantId: t.tenantId, name: "Room 600 100 200", createdVia: "test" },
      { id: ids.phoned, tenantId: t.tenantId, phone: "+48600100200", createdVia: "test" },
      { id: ids.carded, tenantId: t.tenantId, cardNumber: "600100200555", createdVia: "test" },
    ],
  });
  const found = async (query: string) =>
    (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id).sort();
  expect(await found("600100200")).toEqual([ids.phoned, ids.carded].sort());
  expect(await found("600 100 200")).toEqual([ids.phoned]);
  // Words still find names, digits and all.
  expect(await found("room 600")).toEqual([ids.named]);
});

it("answers each condition of the search from a trigram index, not by walking every customer of the tenant", async () => {
  // The test database's customers table is small, where reading it whole is cheaper: asked without sequential scans,
  // the plan shows whether an index answers the condition at all (as on a tenant with a million customers).
  const conditions = [
    // The name folded to its letters without accents, as the search compares it (migration 0078).
    ["customers_name_unaccented_trgm_idx", "unaccented(name) ILIKE '%kowal%'"],
    ["customers_email_trgm_idx", "email ILIKE 'anna.k@%'"],
    ["customers_phone_trgm_idx", "phone LIKE '+4860055%'"],
    // A phone typed without its country code: its national start after a country code of one to three digits.
    ["customers_phone_trgm_idx", "phone LIKE '+__600555%'"],
    ["customers_card_number_trgm_idx", "card_number ILIKE 'card-sea%'"],
  ];
  for (const [index, condition] of conditions) {
    const plan = await queryPlan(db, `SELECT id FROM customers WHERE ${condition}`, true);
    expect(
      plan.flatMap((n) => n["Index Name"] ?? []),
      condition,
    ).toContain(index);
  }
});

it("reads %, _ and \\ in a search as the characters typed, never as wildcards", async () => {
  const t = await tenantCallers(db, "Search Wildcards");
  const named = async (name: string, email?: string) => {
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId: t.tenantId, name, email: email ?? null, createdVia: "test" } });
    return id;
  };
  const anna = await named("Anna Nowak");
  await named("Bob Smith", "bob@example.com");
  const club = await named("50% Off_Club", "deals_50%@example.com");
  const slash = await named("Back\\slash Bar");
  const found = async (query: string) => (await t.admin.customers.search({ query, limit: 10 })).items.map((c) => c.id);
  for (const query of ["__", "%%", "a_n", "B%h", "\\%"]) expect(await found(query), query).toEqual([]);
  expect(await found("0%")).toEqual([club]);
  expect(await found("f_")).toEqual([club]);
  expect(await found("0% off_c")).toEqual([club]);
  expect(await found("deals_50%")).toEqual([club]);
  expect(await found("\\s")).toEqual([slash]);
  expect(await found("anna")).toEqual([anna]);
});

it("pages through every match, newest first, without losing or repeating one, customers made in one instant too", async () => {
  const t = await tenantCallers(db, "Search Many Pages");
  // 25 matches, five of them made in the same millisecond (an import): the cursor carries the id beside the time.
  const now = Date.now();
  const made = Array.from({ length: 25 }, (_, i) => ({
    id: newId("customer"),
    tenantId: t.tenantId,
    name: `Paged Pat ${i}`,
    createdVia: "test",
    createdAt: new Date(now - 60_000 * Math.max(i, 20)),
  }));
  await db.customer.createMany({ data: made });
  await db.customer.create({
    data: { id: newId("customer"), tenantId: t.tenantId, name: "Other", createdVia: "test" },
  });

  const seen: string[] = [];
  let cursor: string | null | undefined;
  let pages = 0;
  do {
    const page = await t.admin.customers.search({ query: "paged pat", limit: 10, cursor });
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

it("refuses a search cursor that is not one it gave", async () => {
  const t = await tenantCallers(db, "Search Bogus Cursor");
  for (const cursor of ["aaa", "zzz", "cus_0000000000", `${new Date().toISOString()}~x`]) {
    const error = await failure(t.admin.customers.search({ query: "anna", cursor }));
    expect(error.code, cursor).toBe("BAD_REQUEST");
    expect(
      issuesOf(error)?.map((issue) => issue.path),
      cursor,
    ).toEqual(["cursor"]);
  }
});
