import { CouponCampaignConfig, type CouponCampaignStatus } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";

export type DbOrTx = Db | DbTx;

/** Runs `fn` in the caller's transaction when given one, else in a new one (a transaction client cannot connect). */
const isClient = (db: DbOrTx): db is Db => "$connect" in db;

export const inTransaction = <T>(
  db: DbOrTx,
  fn: (tx: DbTx) => Promise<T>,
  opts: { timeoutMs?: number } = {},
): Promise<T> => (isClient(db) ? withTransaction(db, fn, opts) : fn(db));

/** Where codes come from: a generic campaign's one code, bulk generation, a partner's file, or issued to a wallet. */
export type CodeSource = "generic" | "generated" | "imported" | "issued";

export interface CampaignRow {
  id: string;
  tenant_id: string;
  name: string;
  status: string;
  config: unknown;
  used_count: bigint;
  used_amount: bigint;
  created_at: Date;
  updated_at: Date;
}

export interface CouponCampaignView {
  id: string;
  name: string;
  status: CouponCampaignStatus;
  config: CouponCampaignConfig;
  /** Uses held or committed, and the discount they give: what the total limit and the budget compare. */
  usedCount: number;
  usedAmount: number;
  createdAt: string;
  updatedAt: string;
}

export const campaignView = (row: CampaignRow): CouponCampaignView => ({
  id: row.id,
  name: row.name,
  status: row.status as CouponCampaignStatus,
  config: CouponCampaignConfig.parse(row.config),
  usedCount: exactNumber(row.used_count),
  usedAmount: exactNumber(row.used_amount),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** The tenant's campaign, optionally locked for the caller's transaction; another tenant's is not found. */
export async function loadCampaign(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  opts: { lock?: boolean } = {},
): Promise<CouponCampaignView> {
  const rows = opts.lock
    ? await db.$queryRaw<CampaignRow[]>`
        SELECT * FROM coupon_campaigns WHERE tenant_id = ${tenantId} AND id = ${campaignId} FOR UPDATE`
    : await db.$queryRaw<CampaignRow[]>`
        SELECT * FROM coupon_campaigns WHERE tenant_id = ${tenantId} AND id = ${campaignId}`;
  const row = rows[0];
  if (!row) throw new DomainError("not_found", `no coupon campaign ${campaignId} in this tenant`);
  return campaignView(row);
}

/**
 * How often one code may be used: a generic code as often as `perCode` allows (no limit without one);
 * a generated, issued or imported code once unless `perCode` says otherwise.
 */
export const maxUsesOf = (config: CouponCampaignConfig): number | null =>
  config.limits.perCode ?? (config.codes.kind === "generic" ? null : 1);

/** The error for an operation a campaign's kind of codes does not allow. */
export const wrongKind = (campaign: CouponCampaignView, kind: CouponCampaignConfig["codes"]["kind"], doing: string) =>
  new DomainError(
    "unprocessable",
    `campaign ${campaign.id} has ${campaign.config.codes.kind} codes; only a campaign with ${kind} codes can ${doing}`,
  );

/**
 * Serialises what adds codes to one campaign (a generation's or an import's chunks) for the caller's transaction,
 * without the campaign's row: holds and the ledger's batches lock that row, and must not wait behind a bulk insert.
 */
export async function lockCampaignCodes(tx: DbTx, tenantId: string, campaignId: string): Promise<void> {
  const key = `coupon-campaign-codes:${tenantId}:${campaignId}`;
  await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(${key}, 0)))`;
}

/**
 * A failure after some chunks committed: what they added stays, and the message says how much, so a caller can tell
 * what to ask for next. A domain refusal keeps its code; anything else is a fault still, with its cause.
 */
export function stoppedAfter(e: unknown, added: number, what: string): unknown {
  if (!added) return e;
  const note = `${added.toLocaleString("en-US")} ${what} were added before this and are kept`;
  if (e instanceof DomainError) return new DomainError(e.code, `${e.message}; ${note}`, e.issues);
  return new Error(`stopped: ${note}`, { cause: e });
}
