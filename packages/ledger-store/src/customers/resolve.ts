import { type CustomerRef, identityOf } from "@regulars/contracts";
import { Prisma, type RawTx, sqlArray } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedCustomer } from "./created.ts";
import { identityOwner, spelledIdentity } from "./identity-owner.ts";

export interface CustomerLookup {
  tenantId: string;
  ref: CustomerRef;
  /** Create an account on first sight (a phone given at the POS); false only resolves. */
  create: boolean;
  createdVia: string;
}

/** customerId, or null when unknown and not created; `rejected` when an explicit id does not exist. */
export type Resolution = { customerId: string | null } | { rejected: string };

const identityKey = (tenantId: string, kind: string, value: string) => `${tenantId}\u0000${kind}\u0000${value}`;

/** Each lookup's resolution, and the customers these statements created (a race's loser created none). */
export interface Resolved {
  resolutions: Resolution[];
  created: CreatedCustomer[];
}

export const resolveCustomers = async (tx: RawTx, lookups: CustomerLookup[]): Promise<Resolution[]> =>
  (await resolveOrCreateCustomers(tx, lookups)).resolutions;

/**
 * Resolves many customer references in a few set-based statements: the ledger worker calls this for
 * a whole batch, so the cost is per batch, not per transaction. Identities are unique per tenant; when
 * two writers race to create the same identity, the loser adopts the winner's customer.
 */
export async function resolveOrCreateCustomers(tx: RawTx, lookups: CustomerLookup[]): Promise<Resolved> {
  const created: CreatedCustomer[] = [];
  const results: Resolution[] = new Array(lookups.length);
  const byIdentity = new Map<string, IdentityRow & { create: boolean; createdVia: string; indexes: number[] }>();
  const byId = new Map<string, number[]>();

  lookups.forEach((l, i) => {
    const identity = identityOf(l.ref);
    if ("customerId" in identity) {
      byId.set(identity.customerId, [...(byId.get(identity.customerId) ?? []), i]);
      return;
    }
    // Both spellings of a phone are one identity, asked and created by the preferred one (`spelledIdentity`).
    const spelled = spelledIdentity(identity);
    const key = identityKey(l.tenantId, spelled.kind, spelled.value);
    const entry = byIdentity.get(key) ?? {
      ...spelled,
      tenantId: l.tenantId,
      create: false,
      createdVia: l.createdVia,
      indexes: [],
    };
    entry.create ||= l.create;
    entry.indexes.push(i);
    byIdentity.set(key, entry);
  });

  if (byId.size) {
    const found = await survivorsWithErasure(tx, [...byId.keys()]);
    for (const [id, indexes] of byId) {
      const row = found.get(id);
      for (const i of indexes) {
        // An id from another tenant is as unknown as an id that never existed. So is an erased customer's: an app
        // still signed in would otherwise store new facts under the real id after the erasure's sweep has ended.
        results[i] =
          row?.tenantId === lookups[i]!.tenantId && !row.erased
            ? { customerId: row.survivorId }
            : { rejected: `unknown customer id ${id}` };
      }
    }
  }

  if (byIdentity.size) {
    const found = await selectIdentities(tx, [...byIdentity.values()]);
    const missing = [...byIdentity.entries()].filter(([key, e]) => !found.has(key) && e.create).map(([, e]) => e);
    if (missing.length) {
      const made = await createCustomers(tx, missing);
      for (const [key, id] of made.found) found.set(key, id);
      created.push(...made.created);
    }
    for (const [key, entry] of byIdentity)
      for (const i of entry.indexes) results[i] = { customerId: found.get(key) ?? null };
  }
  return { resolutions: results, created };
}

/**
 * Each id's tenant and the customer that finally absorbed it (itself when never merged): a merged-away
 * account keeps its row, but points, locks and facts sent to it must reach the account the person uses.
 * One statement for the whole batch; both steps are primary-key lookups (customers.id, customer_merges.merged_id).
 */
export const survivorsStatement = (ids: string[]) => Prisma.sql`
  WITH RECURSIVE chain(asked, tenant_id, id, depth) AS (
    SELECT id, tenant_id, id, 0 FROM customers WHERE id = ANY(${sqlArray(ids)}::text[])
    UNION ALL
    SELECT chain.asked, chain.tenant_id, m.into_id, chain.depth + 1
    -- Each step probes the primary key once per id: LIMIT keeps the planner from flattening this into a hash
    -- join that reads every merge of every tenant (merged_id is the key, so there is at most one row anyway).
    FROM chain CROSS JOIN LATERAL (
      SELECT into_id FROM customer_merges WHERE merged_id = chain.id AND tenant_id = chain.tenant_id LIMIT 1
    ) m
    -- A merge never points back into its own chain; the bound only keeps a corrupt row from looping forever.
    WHERE chain.depth < 32
  )
  SELECT DISTINCT ON (asked) asked AS id, tenant_id, id AS survivor_id FROM chain ORDER BY asked, depth DESC`;

export async function survivorsOf(
  tx: RawTx,
  ids: string[],
): Promise<Map<string, { tenantId: string; survivorId: string }>> {
  const rows = await tx.$queryRaw<{ id: string; tenant_id: string; survivor_id: string }[]>(survivorsStatement(ids));
  return new Map(rows.map((r) => [r.id, { tenantId: r.tenant_id, survivorId: r.survivor_id }]));
}

/** As `survivorsOf`, and whether the survivor was erased (the whole person is): one statement, a key probe more. */
async function survivorsWithErasure(
  tx: RawTx,
  ids: string[],
): Promise<Map<string, { tenantId: string; survivorId: string; erased: boolean }>> {
  const rows = await tx.$queryRaw<{ id: string; tenant_id: string; survivor_id: string; erased: boolean }[]>`
    SELECT s.id, s.tenant_id, s.survivor_id, c.erased_at IS NOT NULL AS erased
    FROM (${survivorsStatement(ids)}) s LEFT JOIN customers c ON c.id = s.survivor_id`;
  return new Map(rows.map((r) => [r.id, { tenantId: r.tenant_id, survivorId: r.survivor_id, erased: r.erased }]));
}

/**
 * Which of these ids were erased: one primary-key probe each. For writers that announce customers' events: an
 * erased customer's balance stays for the accounts, but nothing about them may leave under their id any more.
 */
export async function erasedAmong(tx: RawTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM customers WHERE id = ANY(${sqlArray(ids)}::text[]) AND erased_at IS NOT NULL`;
  return rows.map((r) => r.id);
}

/**
 * Which of these ids were merged away: one primary-key probe each (customer_merges.merged_id). For a writer that
 * resolved ids to their survivors (`survivorsOf`, identities) before it locked them: asked again once the locks
 * are held, as a statement of its own, it sees a merge that committed while the writer waited for a lock.
 */
export async function mergedAwayAmong(tx: RawTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await tx.$queryRaw<{ merged_id: string }[]>`
    SELECT merged_id FROM customer_merges WHERE merged_id = ANY(${sqlArray(ids)}::text[])`;
  return rows.map((r) => r.merged_id);
}

type IdentityRow = { tenantId: string; kind: string; value: string; otherSpelling: string | null };

/**
 * Each identity's customer, keyed as asked. The exact keys, and a phone's other spelling, in one primary-key join: a
 * customer holding the asked (preferred) spelling is the one named, else one holding the other (`identityOwner`'s
 * order). Then, only for the cards it did not find, `identityOwner`'s look-up of a card held in another case
 * (migration 0059). Asked of every identity, that correlated look-up made a batch of 500 cost ~100 times more to
 * the planner than the join, and so compiled by JIT (~10 ms) on every batch; the cards it is still needed for are few.
 */
async function selectIdentities(tx: RawTx, identities: IdentityRow[]): Promise<Map<string, string>> {
  const spellings = identities.flatMap((r) => [r, ...(r.otherSpelling ? [{ ...r, value: r.otherSpelling }] : [])]);
  const rows = await tx.$queryRaw<{ tenant_id: string; kind: string; value: string; customer_id: string }[]>`
    SELECT i.tenant_id, i.kind, i.value, i.customer_id
    FROM customer_identities i
    JOIN unnest(${sqlArray(spellings.map((r) => r.tenantId))}::text[], ${sqlArray(spellings.map((r) => r.kind))}::text[], ${sqlArray(spellings.map((r) => r.value))}::text[])
      AS wanted(tenant_id, kind, value)
      ON i.tenant_id = wanted.tenant_id AND i.kind = wanted.kind AND i.value = wanted.value`;
  const held = new Map(rows.map((r) => [identityKey(r.tenant_id, r.kind, r.value), r.customer_id]));
  const found = new Map<string, string>();
  for (const r of identities) {
    const key = identityKey(r.tenantId, r.kind, r.value);
    const owner =
      held.get(key) ?? (r.otherSpelling ? held.get(identityKey(r.tenantId, r.kind, r.otherSpelling)) : undefined);
    if (owner) found.set(key, owner);
  }
  const cards = identities.filter((r) => r.kind === "card" && !found.has(identityKey(r.tenantId, r.kind, r.value)));
  if (!cards.length) return found;
  // Many new cards in one batch would still cross the planner's JIT threshold; this batch's statements are small.
  await tx.$executeRaw`SET LOCAL jit = off`;
  const others = await tx.$queryRaw<{ tenant_id: string; value: string; customer_id: string | null }[]>`
    SELECT w.tenant_id, w.value, ${identityOwner(Prisma.sql`w.tenant_id`, Prisma.sql`'card'`, Prisma.sql`w.value`)} AS customer_id
    FROM unnest(${sqlArray(cards.map((r) => r.tenantId))}::text[], ${sqlArray(cards.map((r) => r.value))}::text[])
      AS w(tenant_id, value)`;
  for (const r of others) if (r.customer_id) found.set(identityKey(r.tenant_id, "card", r.value), r.customer_id);
  return found;
}

async function createCustomers(
  tx: RawTx,
  identities: (IdentityRow & { createdVia: string })[],
): Promise<{ found: Map<string, string>; created: CreatedCustomer[] }> {
  const ids = identities.map(() => newId("customer"));
  const phoneOf = identities.map((r) => (r.kind === "phone" ? r.value : null));
  const cardOf = identities.map((r) => (r.kind === "card" ? r.value : null));
  await tx.$executeRaw`
    INSERT INTO customers (id, tenant_id, phone, card_number, created_via)
    SELECT * FROM unnest(${sqlArray(ids)}::text[], ${sqlArray(identities.map((r) => r.tenantId))}::text[], ${sqlArray(phoneOf)}::text[], ${sqlArray(cardOf)}::text[], ${sqlArray(identities.map((r) => r.createdVia))}::text[])`;
  const inserted = await tx.$queryRaw<{ customer_id: string }[]>`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    SELECT * FROM unnest(${sqlArray(identities.map((r) => r.tenantId))}::text[], ${sqlArray(identities.map((r) => r.kind))}::text[], ${sqlArray(identities.map((r) => r.value))}::text[], ${sqlArray(ids)}::text[])
    ON CONFLICT DO NOTHING
    RETURNING customer_id`;
  const kept = new Set(inserted.map((r) => r.customer_id));
  const created = identities
    .map((r, i) => ({ tenantId: r.tenantId, customerId: ids[i]!, kind: r.kind, createdVia: r.createdVia }))
    .filter((c) => kept.has(c.customerId));
  if (inserted.length === ids.length) {
    return { found: new Map(identities.map((r, i) => [identityKey(r.tenantId, r.kind, r.value), ids[i]!])), created };
  }
  // Another writer created some of these identities first: use its customers, drop our orphans.
  const orphans = ids.filter((id) => !kept.has(id));
  await tx.$executeRaw`DELETE FROM customers WHERE id = ANY(${sqlArray(orphans)}::text[])`;
  return { found: await selectIdentities(tx, identities), created };
}

/**
 * A customer a batch resolved (a sale's, an event's, or a refunded sale's read before its lock) was merged away
 * before the batch held its lock. Its code is Postgres's serialization_failure (40001): the batch's transaction runner, like
 * the partition applier, retries it as it retries Postgres's own conflicts, from scratch, and the new attempt
 * resolves to the survivor.
 */
export class CustomerMergedMeanwhileError extends Error {
  readonly code = "40001";
  constructor(ids: string[]) {
    super(`customers ${ids.join(", ")} were merged away while the batch waited for their locks; the batch is retried`);
    this.name = "CustomerMergedMeanwhileError";
  }
}
