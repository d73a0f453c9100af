import { type CustomerRef, identityOf, phoneSpellings } from "@regulars/contracts";
import { type Db, Prisma } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerSummary, identityOwner, spelledIdentity, survivorsOf } from "@regulars/ledger-store";
import { floorView, tierShown } from "./customers.loyalty.ts";
import { type CustomerView, searchCursorAt, searchCursorOf } from "./customers.types.ts";

/** The customer a reference finds now: by id, the survivor of a merge that took it away (identities moved there). */
export async function findCustomerId(db: Db, tenantId: string, ref: CustomerRef): Promise<string | null> {
  const identity = identityOf(ref);
  if ("customerId" in identity) {
    const found = (await survivorsOf(db, [identity.customerId])).get(identity.customerId);
    return found?.tenantId === tenantId ? found.survivorId : null;
  }
  // As the ledger finds it (a card in any case, a contested legacy card's oldest holder, a phone by both its
  // spellings): one customer per card, one per phone number.
  const { kind, value, otherSpelling } = spelledIdentity(identity);
  const [found] = await db.$queryRaw<{ id: string | null }[]>`
    SELECT ${identityOwner(Prisma.sql`${tenantId}`, Prisma.sql`${kind}`, Prisma.sql`${value}`, Prisma.sql`${otherSpelling}::text`)} AS id`;
  return found?.id ?? null;
}

export async function getCustomer(db: Db, tenantId: string, ref: CustomerRef, now = new Date()): Promise<CustomerView> {
  const id = await findCustomerId(db, tenantId, ref);
  const customer = id ? await db.customer.findFirst({ where: { id, tenantId }, include: { identities: true } }) : null;
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const { balances, standing: loyalty } = await customerSummary(db, tenantId, customer.id);
  const tier = await tierShown(db, tenantId, loyalty, now);
  return {
    view: "admin",
    id: customer.id,
    mergedFrom: ref.id && ref.id !== customer.id ? ref.id : null,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    cardNumber: customer.cardNumber,
    dateOfBirth: customer.dateOfBirth?.toISOString().slice(0, 10) ?? null,
    createdVia: customer.createdVia,
    createdAt: customer.createdAt.toISOString(),
    identities: customer.identities.map((i) => ({ kind: i.kind, value: i.value })),
    points: { balance: balances.points, pending: balances.pendingPoints, held: balances.heldPoints },
    walletHeld: balances.heldWallet,
    wallet: balances.wallet,
    tier: tier ? { id: tier, since: loyalty?.tierSince?.toISOString() ?? null } : null,
    tierFloor: floorView(loyalty, now),
    lastActivityAt: loyalty?.lastActivityAt?.toISOString() ?? null,
    erasedAt: customer.erasedAt?.toISOString() ?? null,
  };
}

/**
 * Typed text matches itself in a LIKE pattern: a `%` or `_` would match anything (`__` lists every customer), so
 * these are escaped with LIKE's default escape character.
 */
const literalLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/**
 * A LIKE pattern for the name condition: the typed text anywhere in the name, accents and case aside (`unaccented`,
 * migration 0078). Folded before it is escaped, since folding turns a full-width `％` or `＿` into a wildcard.
 */
const foldedAnywhere = (typed: string) =>
  Prisma.sql`'%' || replace(replace(replace(unaccented(${typed}), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;

/** The name condition of a search, answered by the folded name's trigram index (migration 0080). */
export const nameContains = (typed: string) => Prisma.sql`unaccented(name) ILIKE ${foldedAnywhere(typed)}`;

interface SearchRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  cardNumber: string | null;
  createdAt: Date;
}

/** A page of the customers a search finds, newest first; `nextCursor` is null on the last page. */
export async function searchCustomers(
  db: Db,
  tenantId: string,
  input: { query: string; limit: number; cursor?: string | null },
) {
  const q = input.query;
  const typedStart = `${literalLike(q)}%`;
  const after = input.cursor ? searchCursorAt(input.cursor) : null;
  const phones = phoneStarts(q);
  const matches = [
    Prisma.sql`id = ${q}`,
    ...phones.map((start) => Prisma.sql`phone LIKE ${`${start}%`}`),
    // Cards are stored upper case; a legacy one two customers hold in different cases is found in either.
    Prisma.sql`card_number ILIKE ${typedStart}`,
    Prisma.sql`email ILIKE ${typedStart}`,
    // A number typed is a phone (or a card, an e-mail's start), not a name. Postgres answers a phone search by walking
    // the tenant's newest customers, and folding each one's name on the way doubled its time (200,000 customers:
    // 0.7 → 1.3 s).
    ...(phones.length ? [] : [nameContains(q)]),
  ];
  // In SQL: Prisma's filters cannot compare a function of a column, and the name is compared folded.
  const rows = await db.$queryRaw<SearchRow[]>`
    SELECT id, name, phone, email, card_number AS "cardNumber", created_at AS "createdAt"
    FROM customers
    WHERE tenant_id = ${tenantId} AND (${Prisma.join(matches, " OR ")})
      ${after ? Prisma.sql`AND (created_at, id) < (${after.createdAt}, ${after.id})` : Prisma.empty}
    ORDER BY created_at DESC, id DESC
    LIMIT ${input.limit + 1}`;
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })),
    nextCursor: rows.length > input.limit ? searchCursorOf(page[page.length - 1]!) : null,
  };
}

/** What people put between a phone number's digits: spaces, dots, dashes and brackets. */
const phoneSeparators = /[\s.()-]/g;

/**
 * The phone starts a search typed the way people write numbers (`+48 600 100 200`, `600-100-200`, `(0) 7911 123456`)
 * looks for, in phones stored in E.164 (`+48600100200`). Its digits match the start of the stored number with the
 * country code, or, typed without one, the start of the national number after a country code of one to three digits
 * (`_` is LIKE's one character; a national trunk 0 is dropped, as E.164 drops it). Each is a LIKE on `phone` with
 * three or more digits in a row, which the phone's trigram index answers (migration 0029). Country codes are not
 * checked, so a short national start may also find a number whose digits line up under a code of another length
 * (`600` finds +48 660 012 345, read as +486 600...): a search box may list a few more, never fewer.
 */
function phoneStarts(query: string): string[] {
  const typed = /^(\+|00)?(\d{3,15})$/.exec(query.replace(phoneSeparators, ""));
  if (!typed) return [];
  const international = typed[1];
  const digits = typed[2]!;
  // A whole number typed with its code is also found by its other spelling (`phoneSpellings`): the till's
  // `+480604100077` names the customer stored as `+48604100077`, and the other way round.
  if (international) return phoneSpellings(`+${digits}`).all;
  const national = digits.replace(/^0/, "");
  if (national.length < 3) return [`+${digits}`];
  return [`+${digits}`, ...["_", "__", "___"].map((code) => `+${code}${national}`)];
}
