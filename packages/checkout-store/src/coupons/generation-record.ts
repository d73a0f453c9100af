import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";

/** What a generation request has made so far: every chunk's audit row names its request key and the count asked. */
export interface GenerationRecord {
  made: number;
  /** The counts asked under the key: more than one, or another than now, is a conflict. */
  asked: number[];
}

/**
 * How long a request key is remembered: a repeat comes from a retry within minutes. The window bounds the read to
 * the recent part of the tenant's audit log (its index is by tenant and time).
 */
export const REQUEST_KEY_WINDOW_HOURS = 24;

export const GENERATE_ACTION = "coupons.generateCodes";

/** The codes made under a request key for a campaign, read from the audit rows each chunk wrote beside its codes. */
export async function generationRecord(
  tx: DbTx,
  tenantId: string,
  campaignId: string,
  requestKey: string,
): Promise<GenerationRecord> {
  const [row] = await tx.$queryRaw<{ made: bigint | null; asked: number[] | null }[]>`
    SELECT sum((details->>'count')::bigint) AS made, array_agg(DISTINCT (details->>'asked')::int) AS asked
    FROM audit_log
    WHERE tenant_id = ${tenantId} AND created_at > now() - make_interval(hours => ${REQUEST_KEY_WINDOW_HOURS})
      AND action = ${GENERATE_ACTION} AND target = ${campaignId} AND details->>'requestKey' = ${requestKey}`;
  return { made: Number(row?.made ?? 0), asked: row?.asked ?? [] };
}

/** A key repeated with another count asks for something else under the same name: refused, nothing made. */
export function refuseOtherCount(record: GenerationRecord, requestKey: string, count: number): void {
  const other = record.asked.find((asked) => asked !== count);
  if (other !== undefined)
    throw new DomainError(
      "idempotency_conflict",
      `request key ${requestKey} asked for ${shown(other)} codes, not ${shown(count)}`,
      [{ path: "requestKey", message: "already used for another count; use a new key for a new request" }],
    );
}

const shown = (n: number) => n.toLocaleString("en-US");
