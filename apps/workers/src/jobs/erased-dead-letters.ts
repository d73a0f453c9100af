import { type Bus, deleteErasedDeadLetters, type ErasedPerson, type LetterReferences } from "@regulars/bus";
import { type Db, sqlArray } from "@regulars/db";

/**
 * As long as the dead-letter stream keeps a letter (`ensureTopology`): the letters written before an erasure this old
 * have aged out or went on the passes after it, and a message published before it is dead-lettered within that time.
 */
const DEAD_LETTERS_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

const unique = (values: string[]) => [...new Set(values)];

/**
 * The erased customers among those the letters name, by what still ties a letter to them once erasure deleted their
 * identities: their ids (a domain event, an app event or a sale by customer id), the external ids of their sales and
 * refunds (a retry of one, a refund of their sale, which is theirs whatever it names) and their checkout holds (a sale
 * committing one). Set-based: one statement per tenant the letters name, whatever the number of erasures.
 */
async function erasedAmong(db: Db, named: LetterReferences[], tenantIds?: string[]): Promise<ErasedPerson[]> {
  const byTenant = new Map<string, LetterReferences[]>();
  for (const refs of named)
    if (!tenantIds || tenantIds.includes(refs.tenantId))
      byTenant.set(refs.tenantId, [...(byTenant.get(refs.tenantId) ?? []), refs]);
  const people: ErasedPerson[] = [];
  for (const [tenantId, letters] of byTenant) {
    const customerIds = unique(letters.flatMap((l) => l.customerIds));
    const externalIds = unique(letters.flatMap((l) => l.transactionExternalIds));
    const holdIds = unique(letters.flatMap((l) => l.holdIds));
    const rows = await db.$queryRaw<{ kind: "customer" | "transaction" | "hold"; id: string }[]>`
      SELECT 'customer' AS kind, c.id FROM customers c
      WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${sqlArray(customerIds)}::text[]) AND c.erased_at IS NOT NULL
      UNION ALL
      SELECT 'transaction', t.external_id FROM transactions t JOIN customers c ON c.id = t.customer_id
      WHERE t.tenant_id = ${tenantId} AND t.external_id = ANY(${sqlArray(externalIds)}::text[])
        AND c.erased_at IS NOT NULL
      UNION ALL
      SELECT 'hold', h.id FROM checkout_holds h JOIN customers c ON c.id = h.customer_id
      WHERE h.tenant_id = ${tenantId} AND h.id = ANY(${sqlArray(holdIds)}::text[]) AND c.erased_at IS NOT NULL`;
    if (!rows.length) continue;
    const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.id);
    people.push({
      tenantId,
      customerIds: of("customer"),
      transactionExternalIds: of("transaction"),
      holdIds: of("hold"),
    });
  }
  return people;
}

/**
 * Erasure's part on the bus: deletes the dead letters that name an erased customer (`deleteErasedDeadLetters`). A
 * letter keeps the message as posted or published for 30 days, which `dlq show` prints and a replay posts again.
 * Reads the dead-letter stream only while some erasure is recent enough for it to hold letters about the customer;
 * letters written after the erasure (a late message about them) go on a later pass. Idempotent. How many went.
 */
export async function deleteDeadLettersOfErased(
  bus: Bus,
  db: Db,
  now: Date,
  only?: { tenantIds: string[] },
): Promise<number> {
  const tenantIds = only?.tenantIds ?? null;
  const [recent] = await db.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM erasure_requests WHERE postgres_done_at > ${new Date(now.getTime() - DEAD_LETTERS_KEPT_MS)}
      AND (${tenantIds === null} OR tenant_id = ANY(${sqlArray(tenantIds ?? [])}::text[]))) AS any`;
  if (!recent?.any) return 0;
  return deleteErasedDeadLetters(bus, (named) => erasedAmong(db, named, only?.tenantIds));
}
