import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { eventually, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomerLookup, resolveCustomers } from "../src/index.ts";

let db: Db;
let tenantId: string;
let otherTenantId: string;

beforeAll(async () => {
  db = testDb();
  tenantId = (await testTenant(db, "Resolve A")).tenantId;
  otherTenantId = (await testTenant(db, "Resolve B")).tenantId;
});
afterAll(async () => {
  await db?.$disconnect();
});

// The tenants are fresh, so numbers only need to differ within this file.
let phoneCounter = 0;
const freshPhone = () => `+48600${String(++phoneCounter).padStart(6, "0")}`;

const lookup = (ref: CustomerLookup["ref"], create = true, tenant = tenantId): CustomerLookup => ({
  tenantId: tenant,
  ref,
  create,
  createdVia: "pos",
});
const resolve = (...lookups: CustomerLookup[]) => withTransaction(db, (tx) => resolveCustomers(tx, lookups));
const customerIdOf = (r: Awaited<ReturnType<typeof resolve>>[number] | undefined): string => {
  if (!r || !("customerId" in r) || !r.customerId) throw new Error(`expected a customer, got ${JSON.stringify(r)}`);
  return r.customerId;
};

describe("resolveCustomers", () => {
  it("creates a customer and its identity for a new phone, and finds it again next time", async () => {
    const phone = freshPhone();
    const [first] = await resolve(lookup({ phone }));
    const id = customerIdOf(first);
    expect(id).toMatch(/^cus_[a-z0-9]{10,40}$/);
    expect(await db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
      tenantId,
      phone,
      cardNumber: null,
      createdVia: "pos",
    });
    expect(await db.customerIdentity.findMany({ where: { tenantId, value: phone } })).toEqual([
      expect.objectContaining({ kind: "phone", customerId: id }),
    ]);

    expect(await resolve(lookup({ phone }))).toEqual([{ customerId: id }]);
    expect(await resolve(lookup({ phone }, false))).toEqual([{ customerId: id }]);
    expect(await db.customer.count({ where: { tenantId, phone } })).toBe(1);
  });

  it("creates customers for a card and for an external identity", async () => {
    const card = "CARD-0001";
    const [byCard, byApple] = await resolve(
      lookup({ cardNumber: card }),
      lookup({ externalIdentity: { provider: "apple", subject: "x" } }),
    );
    const cardCustomer = customerIdOf(byCard);
    const appleCustomer = customerIdOf(byApple);
    expect(cardCustomer).not.toBe(appleCustomer);
    expect(await db.customer.findUniqueOrThrow({ where: { id: cardCustomer } })).toMatchObject({
      cardNumber: card,
      phone: null,
    });
    expect(
      await db.customerIdentity.findUniqueOrThrow({
        where: { tenantId_kind_value: { tenantId, kind: "card", value: card } },
      }),
    ).toMatchObject({ customerId: cardCustomer });
    expect(
      await db.customerIdentity.findUniqueOrThrow({
        where: { tenantId_kind_value: { tenantId, kind: "ext:apple", value: "x" } },
      }),
    ).toMatchObject({ customerId: appleCustomer });
    expect(await db.customer.findUniqueOrThrow({ where: { id: appleCustomer } })).toMatchObject({
      phone: null,
      cardNumber: null,
    });

    // The same subject at another provider, or in another tenant, is someone else.
    const [google] = await resolve(lookup({ externalIdentity: { provider: "google", subject: "x" } }));
    const [elsewhere] = await resolve(
      lookup({ externalIdentity: { provider: "apple", subject: "x" } }, true, otherTenantId),
    );
    expect(new Set([appleCustomer, customerIdOf(google), customerIdOf(elsewhere)]).size).toBe(3);
    expect(await resolve(lookup({ externalIdentity: { provider: "apple", subject: "x" } }))).toEqual([
      { customerId: appleCustomer },
    ]);
    expect(await resolve(lookup({ cardNumber: card }, false))).toEqual([{ customerId: cardCustomer }]);
  });

  it("with create: false an unknown identity resolves to null and nothing is created", async () => {
    const phone = freshPhone();
    const before = await db.customer.count({ where: { tenantId } });
    expect(await resolve(lookup({ phone }, false), lookup({ cardNumber: "NOPE-0000" }, false))).toEqual([
      { customerId: null },
      { customerId: null },
    ]);
    expect(await db.customer.count({ where: { tenantId } })).toBe(before);
    expect(await db.customerIdentity.count({ where: { tenantId, value: phone } })).toBe(0);
  });

  it("accepts an existing id of the tenant and rejects an unknown id or another tenant's", async () => {
    const own = newId("customer");
    const foreign = newId("customer");
    await db.customer.createMany({
      data: [
        { id: own, tenantId, createdVia: "test" },
        { id: foreign, tenantId: otherTenantId, createdVia: "test" },
      ],
    });
    const never = newId("customer");
    const results = await resolve(
      lookup({ id: own }),
      lookup({ id: foreign }),
      lookup({ id: never }),
      lookup({ id: foreign }, true, otherTenantId),
    );
    expect(results[0]).toEqual({ customerId: own });
    expect(results[1]).toEqual({ rejected: expect.stringContaining(foreign) });
    expect(results[2]).toEqual({ rejected: expect.stringContaining(never) });
    expect(results[3]).toEqual({ customerId: foreign });
  });

  it("resolves the same new identity several times in one batch to one customer", async () => {
    const phone = freshPhone();
    const results = await resolve(lookup({ phone }, false), lookup({ phone }), lookup({ phone }, false));
    const id = customerIdOf(results[0]);
    expect(results).toEqual([{ customerId: id }, { customerId: id }, { customerId: id }]);
    expect(await db.customer.count({ where: { tenantId, phone } })).toBe(1);
  });

  it("two concurrent transactions resolving the same new phone end with one customer and one identity", async () => {
    for (let round = 0; round < 5; round++) {
      const phone = freshPhone();
      const [a, b] = await Promise.all([resolve(lookup({ phone })), resolve(lookup({ phone }))]);
      expect(customerIdOf(a[0])).toBe(customerIdOf(b[0]));
      expect(await db.customer.count({ where: { tenantId, phone } })).toBe(1);
      expect(await db.customerIdentity.count({ where: { tenantId, kind: "phone", value: phone } })).toBe(1);
    }
  });

  it("concurrent batches naming the same new phones in opposite order each get one customer per phone", async () => {
    for (let round = 0; round < 3; round++) {
      const phones = [freshPhone(), freshPhone(), freshPhone()];
      const [a, b] = await Promise.all([
        resolve(...phones.map((phone) => lookup({ phone }))),
        resolve(...[...phones].reverse().map((phone) => lookup({ phone }))),
      ]);
      expect(a.map(customerIdOf)).toEqual([...b].reverse().map(customerIdOf));
      expect(new Set(a.map(customerIdOf)).size).toBe(3);
      expect(await db.customer.count({ where: { tenantId, phone: { in: phones } } })).toBe(3);
    }
  });

  it("the loser of a forced race adopts the winner's customer and drops its own", async () => {
    const phone = freshPhone();
    let releaseWinner!: () => void;
    const winnerMayCommit = new Promise<void>((r) => (releaseWinner = r));
    let winnerResolved!: () => void;
    const winnerHasResolved = new Promise<void>((r) => (winnerResolved = r));

    // The winner creates the identity and holds its transaction open; the loser cannot see the
    // uncommitted identity, inserts its own and blocks on the unique key until the winner commits.
    const winner = withTransaction(
      db,
      async (tx) => {
        const result = await resolveCustomers(tx, [lookup({ phone })]);
        winnerResolved();
        await winnerMayCommit;
        return result;
      },
      { attempts: 1 },
    );
    winner.catch(() => winnerResolved());
    await winnerHasResolved;
    let loserPid = 0;
    const loser = withTransaction(
      db,
      async (tx: DbTx) => {
        loserPid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
        return resolveCustomers(tx, [lookup({ phone })]);
      },
      { attempts: 1 },
    );
    try {
      await eventually("the loser to wait on the winner's identity row", async () => {
        if (!loserPid) return undefined;
        const [row] = await db.$queryRaw<
          { wait_event_type: string | null }[]
        >`SELECT wait_event_type FROM pg_stat_activity WHERE pid = ${loserPid}`;
        return row?.wait_event_type === "Lock" ? true : undefined;
      });
    } finally {
      releaseWinner();
    }
    const [[won], [lost]] = await Promise.all([winner, loser]);
    expect(lost).toEqual(won);
    expect(await db.customer.count({ where: { tenantId, phone } })).toBe(1);
    expect(await db.customerIdentity.findMany({ where: { tenantId, kind: "phone", value: phone } })).toEqual([
      expect.objectContaining({ customerId: customerIdOf(won) }),
    ]);
  });
});
