import { phoneSpellings } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { isDomainError } from "@regulars/errors";
import { type ChangeOrigin, lockIdentities, phoneIdentity } from "../shared.ts";
import { mergeCustomer } from "./merge.ts";

/** Two customers holding two spellings of one number (`phoneSpellings`): one person split in two. */
export interface SplitPhone {
  tenantId: string;
  /** The valid spelling, and its customer: the survivor. */
  phone: string;
  survivorId: string;
  /** The 0-spelling a till stored (`+480604100077`), and its customer: merged into the survivor. */
  otherSpelling: string;
  mergedId: string;
}

export type FoldOutcome =
  | { kind: "merged"; split: SplitPhone }
  /** A dry run's: found, not merged. */
  | { kind: "would_merge"; split: SplitPhone }
  /** The merge refused (`mergeCustomer`'s conflict: a checkout in progress, an app account on both sides…). */
  | { kind: "refused"; split: SplitPhone; reason: string };

export interface FoldOptions {
  /** One tenant; every tenant when absent. */
  tenantId?: string;
  /** Finds and reports the split customers, merges none. */
  dryRun?: boolean;
  origin: ChangeOrigin;
  /** Told of each tenant as it starts, and of each split as it is settled. */
  onTenant?: (tenantId: string) => void;
  onOutcome?: (outcome: FoldOutcome) => void;
}

/** Phone identities read per statement while looking for 0-spellings. */
const PAGE = 1_000;
/** What a 0-spelling looks like: a 0 after a country code of one to three digits (valid numbers may too). */
const zeroSpelled = "^[+][0-9]{1,3}0";

/**
 * Merges the customers that one number's two spellings split (a till's `+480604100077`, the app's `+48604100077`,
 * identities stored before every look-up consulted both spellings): the valid spelling's customer survives, as it is
 * the one look-ups name while both exist (`identityOwner` of ledger-store), and takes the other's points, sales and
 * identities (`mergeCustomer`), the most recent consent choice of either in force; the 0-spelling is then dropped from it, as `linkProvenPhone` drops it. One transaction
 * per pair, which checks the pair again under the phone's lock; a merged pair holds one spelling, so running it again
 * merges nothing.
 */
export async function foldPhoneSpellings(db: Db, options: FoldOptions): Promise<FoldOutcome[]> {
  const tenants = options.tenantId
    ? [options.tenantId]
    : (await db.$queryRaw<{ id: string }[]>`SELECT id FROM tenants ORDER BY id`).map((t) => t.id);
  const outcomes: FoldOutcome[] = [];
  for (const tenantId of tenants) {
    options.onTenant?.(tenantId);
    for await (const split of splitPhones(db, tenantId)) {
      const outcome = options.dryRun ? { kind: "would_merge" as const, split } : await fold(db, split, options.origin);
      if (!outcome) continue;
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  }
  return outcomes;
}

/**
 * The tenant's split numbers: its phone identities that look 0-spelled (`zeroSpelled`), read a page at a time, that
 * are a 0-spelling indeed and whose valid spelling another customer holds.
 */
async function* splitPhones(db: Db, tenantId: string): AsyncGenerator<SplitPhone> {
  let after = "";
  for (;;) {
    const page = await db.$queryRaw<{ value: string; customer_id: string }[]>`
      SELECT value, customer_id FROM customer_identities
      WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value > ${after} AND value ~ ${zeroSpelled}
      ORDER BY value LIMIT ${PAGE}`;
    if (!page.length) return;
    after = page.at(-1)!.value;
    const zeros = page.flatMap((r) => {
      const { preferred } = phoneSpellings(r.value);
      return preferred === r.value ? [] : [{ ...r, preferred }];
    });
    if (!zeros.length) continue;
    const holders = await db.$queryRaw<{ value: string; customer_id: string }[]>`
      SELECT value, customer_id FROM customer_identities
      WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value = ANY(${zeros.map((z) => z.preferred)}::text[])`;
    const holderOf = new Map(holders.map((h) => [h.value, h.customer_id]));
    for (const z of zeros) {
      const survivorId = holderOf.get(z.preferred);
      if (survivorId && survivorId !== z.customer_id)
        yield { tenantId, phone: z.preferred, survivorId, otherSpelling: z.value, mergedId: z.customer_id };
    }
  }
}

/** Merges one split pair, as found again under the phone's lock; null when it was settled meanwhile. */
async function fold(db: Db, found: SplitPhone, origin: ChangeOrigin): Promise<FoldOutcome | null> {
  try {
    return await withTransaction(db, async (tx) => {
      const { tenantId, phone, otherSpelling } = found;
      // Serialises with the enrolments and registrations of this number, which lock its preferred spelling.
      await lockIdentities(tx, tenantId, [phoneIdentity(phone)]);
      const holders = await tx.$queryRaw<{ value: string; customer_id: string }[]>`
        SELECT value, customer_id FROM customer_identities
        WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value IN (${phone}, ${otherSpelling})`;
      const survivorId = holders.find((h) => h.value === phone)?.customer_id;
      const mergedId = holders.find((h) => h.value === otherSpelling)?.customer_id;
      if (!survivorId || !mergedId || survivorId === mergedId) return null;
      const split = { ...found, survivorId, mergedId };
      // One person split by a spelling: the survivor's choices have no more say than the other's, and the latest
      // choice on either (a withdrawal yesterday) must stay in force.
      await mergeCustomer(tx, tenantId, mergedId, survivorId, origin, "latest");
      await tx.$executeRaw`
        DELETE FROM customer_identities WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value = ${otherSpelling}`;
      return { kind: "merged" as const, split };
    });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return { kind: "refused", split: found, reason: e.message };
  }
}
