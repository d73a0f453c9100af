import { recordAudit } from "@regulars/audit";
import { generateCodes, patternCapacity, patternRoom, patternRoomMessage, patternShape } from "@regulars/checkout";
import { CODE_ALPHABET } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { type DbOrTx, inTransaction, loadCampaign, maxUsesOf, wrongKind } from "./shared.ts";

export const MAX_CODES_PER_GENERATION = 1_000_000;
const CHUNK = 10_000;
/** Rounds in a row that insert nothing: the pattern's space is full of other campaigns' codes. */
const MAX_FRUITLESS_ROUNDS = 5;

export interface GeneratedCodes {
  inserted: number;
  /** Wall time of the generation and the inserts. */
  ms: number;
}

/**
 * Adds `count` codes to a unique campaign, all in one transaction (all or none). Codes are drawn in
 * chunks and inserted with ON CONFLICT DO NOTHING; the few that collide with codes the tenant already
 * has are drawn again until `count` are in. The capacity counts every code of the pattern's shape, whichever
 * campaign made it: a guess that hits another campaign's code is a hit all the same. The campaign row and the
 * pattern's shape are locked, so two generations on one pattern queue rather than both passing the capacity check.
 */
export async function generateCampaignCodes(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  count: number,
  actor: string,
): Promise<GeneratedCodes> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_PER_GENERATION)
    throw new DomainError("invalid_request", `count must be 1 to ${MAX_CODES_PER_GENERATION}`, [
      { path: "count", message: `must be 1 to ${MAX_CODES_PER_GENERATION}` },
    ]);
  const started = performance.now();
  return inTransaction(
    db,
    async (tx) => {
      const campaign = await loadCampaign(tx, tenantId, campaignId, { lock: true });
      if (campaign.config.codes.kind !== "unique") throw wrongKind(campaign, "unique", "generate codes");
      const pattern = campaign.config.codes.pattern;
      await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(${patternLockKey(tenantId, pattern)}, 0)))`;
      const existing = await codesOfPattern(tx, tenantId, pattern);
      if (count > patternRoom(pattern, existing)) {
        const message = patternRoomMessage(pattern, existing, count);
        throw new DomainError("unprocessable", message, [{ path: "codes.pattern", message }]);
      }
      const maxUses = maxUsesOf(campaign.config);
      let inserted = 0;
      let fruitless = 0;
      while (inserted < count) {
        // In key order, the inserts walk the primary key's pages once instead of jumping between them: about
        // a third less time per chunk here. The per-row foreign key checks are most of the rest.
        const batch = generateCodes(pattern, Math.min(CHUNK, count - inserted)).sort();
        const added = await tx.$executeRaw`
        INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
        SELECT ${tenantId}, c, ${campaignId}, 'generated', ${maxUses}::integer FROM unnest(${batch}::text[]) AS c
        ON CONFLICT DO NOTHING`;
        inserted += added;
        fruitless = added ? 0 : fruitless + 1;
        if (fruitless >= MAX_FRUITLESS_ROUNDS) {
          const message = patternRoomMessage(pattern, existing, count);
          throw new DomainError("unprocessable", `${message} (the tenant's other codes fill the pattern)`, [
            { path: "codes.pattern", message },
          ]);
        }
      }
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "coupons.generateCodes",
        target: campaignId,
        details: { count: inserted, pattern },
      });
      return { inserted, ms: Math.round(performance.now() - started) };
    },
    { timeoutMs: 10 * 60_000 },
  );
}

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
 * One lock per tenant and pattern, whichever campaign uses it. A pattern inside another's space (W-AXXXXXX in
 * W-XXXXXXX) takes its own: two such generations at once may overfill the wider one by what the narrower adds.
 */
const patternLockKey = (tenantId: string, pattern: string): string => `coupon-pattern:${tenantId}:${pattern}`;

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
 * under the databases' C.UTF-8 collation. The range relies on that collation ordering by code point, as C and
 * C.UTF-8 do: under a linguistic one (en_US), which skips '-', codes would fall outside it.
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
