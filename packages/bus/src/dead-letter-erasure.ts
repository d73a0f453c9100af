import { type DeadLetter, phoneSpellings } from "@regulars/contracts";
import type { Bus } from "./connection.ts";
import { readDeadLetters } from "./dead-letter-store.ts";

/**
 * What names an erased customer in a dead letter's payload. A letter keeps the message as posted or published (a
 * till's phone or card, an app sign-in, a profile) for the dead-letter stream's 30 days, and a replay would post it
 * again: after an erasure the letters naming the person go.
 */
export interface ErasedPerson {
  tenantId: string;
  /** The customer and everyone merged into it (`personIds` of @regulars/privacy). */
  customerIds: readonly string[];
  /** Their identities as stored (`customer_identities`: `phone`, `card`, `ext:<provider>`), while they exist. */
  identities?: readonly { kind: string; value: string }[];
  /** External ids of their sales and refunds: a letter about one (a retry, a refund of their sale) is theirs. */
  transactionExternalIds?: readonly string[];
  /** Their checkout holds: a sale that commits one is theirs. */
  holdIds?: readonly string[];
}

/** One tenant's people as sets, for a scan that reads every letter once. */
interface PersonSets {
  customerIds: Set<string>;
  identities: Set<string>;
  transactions: Set<string>;
  holds: Set<string>;
}

const identityKey = (kind: string, value: string) => `${kind}\u0000${value}`;

function setsByTenant(people: readonly ErasedPerson[]): Map<string, PersonSets> {
  const byTenant = new Map<string, PersonSets>();
  for (const p of people) {
    let sets = byTenant.get(p.tenantId);
    if (!sets) {
      sets = { customerIds: new Set(), identities: new Set(), transactions: new Set(), holds: new Set() };
      byTenant.set(p.tenantId, sets);
    }
    for (const id of p.customerIds) sets.customerIds.add(id);
    for (const { kind, value } of p.identities ?? []) {
      // A till may post either spelling of a number the identity holds in one (`phoneSpellings`).
      const values = kind === "phone" ? [value, ...phoneSpellings(value).all] : [value];
      for (const v of values) sets.identities.add(identityKey(kind, v));
    }
    for (const id of p.transactionExternalIds ?? []) sets.transactions.add(id);
    for (const id of p.holdIds ?? []) sets.holds.add(id);
  }
  return byTenant;
}

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Who a dead letter's payload names, each field as the message has it. */
export interface LetterReferences {
  tenantId: string;
  customerIds: string[];
  /** As `ErasedPerson.identities`; a phone as posted (either spelling), a card in upper case. */
  identities: { kind: string; value: string }[];
  /** A transaction's own external id, and a refund's sale's. */
  transactionExternalIds: string[];
  holdIds: string[];
}

/** A message's customer reference (`CustomerRef`: one of id, phone, card, app sign-in). */
function addRef(refs: LetterReferences, ref: Record<string, unknown> | null): void {
  if (!ref) return;
  const id = text(ref.id);
  if (id) refs.customerIds.push(id);
  const phone = text(ref.phone);
  if (phone) refs.identities.push({ kind: "phone", value: phone });
  const card = text(ref.cardNumber);
  if (card) refs.identities.push({ kind: "card", value: card.toUpperCase() });
  const ext = record(ref.externalIdentity);
  const provider = text(ext?.provider);
  const subject = text(ext?.subject);
  if (provider && subject) refs.identities.push({ kind: `ext:${provider}`, value: subject });
}

/**
 * Who the letter's payload, read as JSON, names in its tenant (its own `tenantId`: the same phone in another tenant
 * is another person): a posted sale or refund (`transaction`: its customer, its own and its sale's external ids, its
 * hold), a posted app event (`event`: its customer), a domain event (`customerId`, `mergedCustomerIds`). Null for a
 * payload that is not such JSON (or was cut short): it names nobody this can tell.
 */
export function letterReferences(letter: DeadLetter): LetterReferences | null {
  let payload: Record<string, unknown> | null;
  try {
    payload = record(JSON.parse(letter.payload));
  } catch {
    return null;
  }
  const tenantId = text(payload?.tenantId);
  if (!payload || !tenantId) return null;
  const refs: LetterReferences = { tenantId, customerIds: [], identities: [], transactionExternalIds: [], holdIds: [] };
  const customerId = text(payload.customerId);
  if (customerId) refs.customerIds.push(customerId);
  const merged = payload.mergedCustomerIds;
  if (Array.isArray(merged)) for (const id of merged) if (typeof id === "string") refs.customerIds.push(id);
  addRef(refs, record(record(payload.event)?.customer));
  const transaction = record(payload.transaction);
  if (transaction) {
    addRef(refs, record(transaction.customer));
    // A refund's customer is its sale's, whatever it names itself.
    for (const id of [transaction.externalId, transaction.refundOf].map(text))
      if (id) refs.transactionExternalIds.push(id);
    const hold = text(transaction.holdId);
    if (hold) refs.holdIds.push(hold);
  }
  return refs;
}

function namesIn(refs: LetterReferences | null, byTenant: Map<string, PersonSets>): boolean {
  const sets = refs && byTenant.get(refs.tenantId);
  if (!refs || !sets) return false;
  return (
    refs.customerIds.some((id) => sets.customerIds.has(id)) ||
    refs.identities.some(({ kind, value }) => sets.identities.has(identityKey(kind, value))) ||
    refs.transactionExternalIds.some((id) => sets.transactions.has(id)) ||
    refs.holdIds.some((id) => sets.holds.has(id))
  );
}

/** True when the letter's payload names one of `people` in their tenant (`letterReferences`). */
export function letterNamesErased(letter: DeadLetter, people: readonly ErasedPerson[]): boolean {
  return namesIn(letterReferences(letter), setsByTenant(people));
}

/**
 * Deletes every dead letter that names an erased person, in one read of the dead-letter stream; how many it deleted.
 * `erasedAmong` is told who the letters name (`letterReferences`, only when some letter names anyone) and answers the
 * erased people among them: their ids, identities, transactions and holds that the letters may name. A letter
 * already gone (deleted by a run beside this one, replayed, aged out) is skipped, so running it again deletes nothing
 * more.
 */
export async function deleteErasedDeadLetters(
  bus: Bus,
  erasedAmong: (named: LetterReferences[]) => Promise<readonly ErasedPerson[]>,
): Promise<number> {
  const letters: { seq: number; refs: LetterReferences }[] = [];
  for await (const stored of readDeadLetters(bus)) {
    const refs = letterReferences(stored.letter);
    if (refs) letters.push({ seq: stored.seq, refs });
  }
  if (!letters.length) return 0;
  const byTenant = setsByTenant(await erasedAmong(letters.map((l) => l.refs)));
  let deleted = 0;
  for (const { seq } of letters.filter((l) => namesIn(l.refs, byTenant))) {
    try {
      if (await bus.jsm.streams.deleteMessage(bus.topology.streams.deadLetter, seq, false)) deleted++;
    } catch (e) {
      if (!/no message found|not found/i.test((e as Error).message)) throw e;
    }
  }
  return deleted;
}
