import { patternCapacity, patternRoom, patternShape } from "@regulars/checkout";
import { CODE_ALPHABET } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { type DbOrTx, loadCampaign, wrongKind } from "./shared.ts";

export interface CodeRoom {
  pattern: string;
  /** The most codes of the pattern's shape the tenant may have, with the safety factor. */
  capacity: number;
  /** The tenant's codes of that shape now, from any campaign or import. */
  existing: number;
  /** How many more a generation may add now: what the admin asks for at most. */
  available: number;
}

/**
 * How many more codes a unique campaign's pattern can take, so an admin can size a request before any code is made.
 * A reading, not a reservation: a generation running meanwhile may take some, and generateCampaignCodes checks again.
 */
export async function campaignCodeRoom(db: DbOrTx, tenantId: string, campaignId: string): Promise<CodeRoom> {
  const campaign = await loadCampaign(db, tenantId, campaignId);
  if (campaign.config.codes.kind !== "unique") throw wrongKind(campaign, "unique", "generate codes");
  const pattern = campaign.config.codes.pattern;
  const existing = await codesOfPattern(db, tenantId, pattern);
  return { pattern, capacity: patternCapacity(pattern), existing, available: patternRoom(pattern, existing) };
}

/**
 * One lock per tenant and pattern, whichever campaign uses it, held by each chunk of a generation while it counts
 * and inserts: two generations on one pattern take turns chunk by chunk, each checking the room it still needs. A
 * pattern inside another's space (W-AXXXXXX in W-XXXXXXX) takes its own: two such generations at once may overfill
 * the wider one by what the narrower adds.
 */
export async function lockPattern(tx: DbTx, tenantId: string, pattern: string): Promise<void> {
  const key = `coupon-pattern:${tenantId}:${pattern}`;
  await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(${key}, 0)))`;
}

/** Where the count of an over-full pattern comes from, for an admin who sees only this campaign's codes. */
export const codesThereAlready = (existing: number): string =>
  existing
    ? `; the tenant has ${existing.toLocaleString("en-US")} codes of this pattern already, any campaign's or import's`
    : "";

const ORDERED_LETTERS = [...CODE_ALPHABET].sort();
const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");

/**
 * The tenant's codes of the pattern's shape (its prefix, as many letters of CODE_ALPHABET as its run of X's, its
 * suffix), from any campaign or import: all of them fill the space a guesser draws from. Such codes lie between the
 * prefix followed by the alphabet's first letter and the prefix followed by the letter after its last, so the count
 * reads a range of the primary key rather than every code of the tenant; a LIKE on the prefix would not use the index
 * under the databases' C.UTF-8 collation. The first random letter decides where a code falls, whatever the prefix
 * and suffix: under C and C.UTF-8 by code point, and under en-US too (ICU, which skips '-' but orders digits before
 * letters and letters A to Z, as code points do; every shaped code counted for prefixes with and without '-'). A
 * collation that moves a letter or a pair of them past Z (Danish AA, Estonian Z after S) would count low.
 */
export async function codesOfPattern(tx: DbOrTx, tenantId: string, pattern: string): Promise<number> {
  const { prefix, suffix, randomLength } = patternShape(pattern);
  const from = prefix + ORDERED_LETTERS[0]!;
  const below = prefix + String.fromCharCode(ORDERED_LETTERS.at(-1)!.charCodeAt(0) + 1);
  const shape = `^${escapeRegex(prefix)}[${CODE_ALPHABET}]{${randomLength}}${escapeRegex(suffix)}$`;
  const [row] = await tx.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM coupon_codes
    WHERE tenant_id = ${tenantId} AND code >= ${from} AND code < ${below} AND code ~ ${shape}`;
  return Number(row?.n ?? 0);
}
