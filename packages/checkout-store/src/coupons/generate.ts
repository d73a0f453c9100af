import { recordAudit } from "@regulars/audit";
import { generateCodes, patternRoom, patternRoomMessage } from "@regulars/checkout";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { GENERATE_ACTION, generationRecord, refuseOtherCount } from "./generation-record.ts";
import { codesOfPattern, lockPattern } from "./pattern-codes.ts";
import {
  type DbOrTx,
  inTransaction,
  loadCampaign,
  lockCampaignCodes,
  maxUsesOf,
  stoppedAfter,
  wrongKind,
} from "./shared.ts";

export const MAX_CODES_PER_GENERATION = 1_000_000;
/**
 * Codes per transaction. Each inserted code's foreign key takes a KEY SHARE lock on the campaign's row until its
 * transaction commits; holds lock the row FOR NO KEY UPDATE, which does not wait for it, but a campaign's edit
 * (FOR UPDATE) does: a chunk keeps that wait short.
 */
export const GENERATION_CHUNK = 5_000;
/** Rounds in a row that insert nothing: the pattern's space is full of other campaigns' codes. */
const MAX_FRUITLESS_ROUNDS = 5;

export interface GeneratedCodes {
  /** The codes the request has made: by this call, or by earlier calls with the same request key. */
  inserted: number;
  /** Wall time of this call. */
  ms: number;
}

export interface GenerateOptions {
  /**
   * Idempotency: a repeat of the key answers what the request made and makes only what it still lacks (after a
   * failure midway); the same key with another count is a conflict. Remembered for REQUEST_KEY_WINDOW_HOURS.
   */
  requestKey?: string | undefined;
}

interface Request {
  tenantId: string;
  campaignId: string;
  count: number;
  actor: string;
  requestKey: string | undefined;
}

/**
 * Adds `count` codes to a unique campaign, in transactions of GENERATION_CHUNK codes, so the tills and the ledger
 * that lock the campaign's row never wait behind the whole generation. Codes are inserted with ON CONFLICT DO
 * NOTHING; the few that collide with codes the tenant already has are drawn again. Each chunk, under the campaign's
 * and the pattern's advisory locks, counts what the request still needs against the pattern's room, every code of
 * the pattern's shape counted, whichever campaign made it (a guess that hits another campaign's code is a hit all
 * the same): two generations on one pattern never overfill it, and one that no longer fits stops with what it made
 * so far kept and told. Each chunk's audit row, written with its codes, is the request's record.
 */
export async function generateCampaignCodes(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  count: number,
  actor: string,
  opts: GenerateOptions = {},
): Promise<GeneratedCodes> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_PER_GENERATION)
    throw new DomainError("invalid_request", `count must be 1 to ${MAX_CODES_PER_GENERATION}`, [
      { path: "count", message: `must be 1 to ${MAX_CODES_PER_GENERATION}` },
    ]);
  const started = performance.now();
  const request: Request = { tenantId, campaignId, count, actor, requestKey: opts.requestKey };
  let addedHere = 0;
  for (;;) {
    const made = addedHere;
    try {
      const chunk = await inTransaction(db, (tx) => generateChunk(tx, request, made), { timeoutMs: 5 * 60_000 });
      addedHere += chunk.added;
      if (chunk.made >= count) return { inserted: chunk.made, ms: Math.round(performance.now() - started) };
    } catch (e) {
      throw stoppedAfter(e, addedHere, "codes");
    }
  }
}

/** One chunk: what the request has made with it, and what this chunk added. */
async function generateChunk(tx: DbTx, request: Request, addedHere: number): Promise<{ made: number; added: number }> {
  const { tenantId, campaignId, count, requestKey } = request;
  await lockCampaignCodes(tx, tenantId, campaignId);
  const campaign = await loadCampaign(tx, tenantId, campaignId);
  if (campaign.config.codes.kind !== "unique") throw wrongKind(campaign, "unique", "generate codes");
  const pattern = campaign.config.codes.pattern;
  await lockPattern(tx, tenantId, pattern);
  let before = addedHere;
  if (requestKey !== undefined) {
    const record = await generationRecord(tx, tenantId, campaignId, requestKey);
    refuseOtherCount(record, requestKey, count);
    before = record.made;
  }
  const wanted = count - before;
  if (wanted <= 0) return { made: before, added: 0 };
  const existing = await codesOfPattern(tx, tenantId, pattern);
  if (wanted > patternRoom(pattern, existing)) {
    const message = patternRoomMessage(pattern, existing, wanted);
    throw new DomainError("unprocessable", message, [{ path: "codes.pattern", message }]);
  }
  const size = Math.min(GENERATION_CHUNK, wanted);
  const maxUses = maxUsesOf(campaign.config);
  let added = 0;
  let fruitless = 0;
  while (added < size) {
    // In key order, the inserts walk the primary key's pages once instead of jumping between them: about
    // a third less time per chunk here. The per-row foreign key checks are most of the rest.
    const batch = generateCodes(pattern, size - added).sort();
    const inserted = await tx.$executeRaw`
      INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
      SELECT ${tenantId}, c, ${campaignId}, 'generated', ${maxUses}::integer FROM unnest(${batch}::text[]) AS c
      ON CONFLICT DO NOTHING`;
    added += inserted;
    fruitless = inserted ? 0 : fruitless + 1;
    if (fruitless >= MAX_FRUITLESS_ROUNDS) {
      const message = patternRoomMessage(pattern, existing, wanted);
      throw new DomainError("unprocessable", `${message} (the tenant's other codes fill the pattern)`, [
        { path: "codes.pattern", message },
      ]);
    }
  }
  await recordAudit(tx, {
    tenantId,
    actor: request.actor,
    action: GENERATE_ACTION,
    target: campaignId,
    details: { count: added, pattern, ...(requestKey === undefined ? {} : { requestKey, asked: count }) },
  });
  return { made: before + added, added };
}
