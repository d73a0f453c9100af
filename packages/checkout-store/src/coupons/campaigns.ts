import { recordAudit } from "@regulars/audit";
import { CouponCampaignConfig, type CouponCampaignStatus, RedeemableCodePattern } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { DomainError, type FieldIssue, issuesFromZod } from "@regulars/errors";
import { newId } from "@regulars/ids";
import {
  type CampaignRow,
  type CouponCampaignView,
  campaignView,
  type DbOrTx,
  inTransaction,
  loadCampaign,
  maxUsesOf,
} from "./shared.ts";

/** Top-level parts of a campaign's config to replace; each is validated with the whole config. */
export type CampaignPatch = { [K in keyof CouponCampaignConfig]?: unknown };

function validConfig(candidate: unknown): CouponCampaignConfig {
  const parsed = CouponCampaignConfig.safeParse(candidate);
  if (!parsed.success) throw invalid(issuesFromZod(parsed.error));
  // Stored configs read with the looser pattern (campaigns saved before this check); what is saved now must redeem.
  const codes = parsed.data.codes;
  const pattern = codes?.kind === "unique" ? RedeemableCodePattern.safeParse(codes.pattern) : null;
  if (pattern && !pattern.success) {
    throw invalid([{ path: "codes.pattern", message: pattern.error.issues[0]?.message ?? "not a usable pattern" }]);
  }
  return parsed.data;
}

function invalid(issues: FieldIssue[]): DomainError {
  const first = issues[0];
  return new DomainError(
    "invalid_request",
    `the coupon campaign would be invalid: ${first ? `${first.path}: ${first.message}` : "unknown reason"}`,
    issues,
  );
}

const codeTaken = (code: string) =>
  new DomainError("conflict", `the code ${code} is already used by another coupon campaign of this tenant`, [
    { path: "codes.code", message: "already used by another campaign" },
  ]);

/** A new active campaign; a generic campaign's code is claimed for the tenant in the same transaction. */
export async function createCampaign(
  db: DbOrTx,
  tenantId: string,
  input: unknown,
  actor: string,
): Promise<CouponCampaignView> {
  const config = validConfig(input);
  return inTransaction(db, async (tx) => {
    const id = newId("couponCampaign");
    const [row] = await tx.$queryRaw<CampaignRow[]>`
      INSERT INTO coupon_campaigns (id, tenant_id, name, config)
      VALUES (${id}, ${tenantId}, ${config.name}, ${JSON.stringify(config)}::jsonb)
      RETURNING *`;
    if (config.codes.kind === "generic") {
      const claimed = await tx.$executeRaw`
        INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
        VALUES (${tenantId}, ${config.codes.code}, ${id}, 'generic', ${maxUsesOf(config)})
        ON CONFLICT DO NOTHING`;
      if (!claimed) throw codeTaken(config.codes.code);
    }
    await recordAudit(tx, { tenantId, actor, action: "coupons.create", target: id, details: { config } });
    return campaignView(row!);
  });
}

/**
 * Replaces parts of a campaign's config. The kind of codes stays (customers hold them): a generic
 * campaign keeps its code, a unique campaign may change the pattern its next codes are made from.
 * A new `perCode` limit applies to the codes already made too.
 */
export async function updateCampaign(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  patch: CampaignPatch,
  actor: string,
): Promise<CouponCampaignView> {
  return inTransaction(db, async (tx) => {
    const before = await loadCampaign(tx, tenantId, campaignId, { lock: true });
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const after = validConfig({ ...before.config, ...defined });
    checkCodesKept(before.config.codes, after.codes);
    const [row] = await tx.$queryRaw<CampaignRow[]>`
      UPDATE coupon_campaigns SET name = ${after.name}, config = ${JSON.stringify(after)}::jsonb, updated_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${campaignId}
      RETURNING *`;
    const maxUses = maxUsesOf(after);
    if (maxUses !== maxUsesOf(before.config)) {
      await tx.$executeRaw`
        UPDATE coupon_codes SET max_uses = ${maxUses}
        WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId} AND max_uses IS DISTINCT FROM ${maxUses}`;
    }
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "coupons.update",
      target: campaignId,
      details: changedParts(before.config, after),
    });
    return campaignView(row!);
  });
}

function checkCodesKept(before: CouponCampaignConfig["codes"], after: CouponCampaignConfig["codes"]) {
  const refuse = (message: string) => {
    throw new DomainError("invalid_request", `codes: ${message}`, [{ path: "codes", message }]);
  };
  if (after.kind !== before.kind)
    refuse(`the campaign has ${before.kind} codes; create a new campaign for ${after.kind} codes`);
  if (before.kind === "generic" && after.kind === "generic" && after.code !== before.code)
    refuse(`the generic code ${before.code} cannot change: customers may hold it`);
}

function changedParts(before: CouponCampaignConfig, after: CouponCampaignConfig) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof CouponCampaignConfig>;
  const changed = [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return {
    before: Object.fromEntries(changed.map((k) => [k, before[k] ?? null])),
    after: Object.fromEntries(changed.map((k) => [k, after[k] ?? null])),
  };
}

/** Pauses or resumes a campaign: a paused campaign's codes are refused at checkout and it issues nothing. */
export async function setCampaignStatus(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  status: CouponCampaignStatus,
  actor: string,
): Promise<CouponCampaignView> {
  return inTransaction(db, async (tx) => {
    const before = await loadCampaign(tx, tenantId, campaignId, { lock: true });
    if (before.status === status) return before;
    const [row] = await tx.$queryRaw<CampaignRow[]>`
      UPDATE coupon_campaigns SET status = ${status}, updated_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${campaignId}
      RETURNING *`;
    const action = status === "paused" ? "coupons.pause" : "coupons.resume";
    await recordAudit(tx, {
      tenantId,
      actor,
      action,
      target: campaignId,
      details: { from: before.status, to: status },
    });
    return campaignView(row!);
  });
}

export const getCampaign = (db: DbOrTx, tenantId: string, campaignId: string): Promise<CouponCampaignView> =>
  loadCampaign(db, tenantId, campaignId);

export interface ListCampaignsInput {
  status?: CouponCampaignStatus | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null | undefined;
  limit: number;
}

/** Newest first; ids sort by creation time, so the cursor is the last id of the previous page. */
export async function listCampaigns(
  db: Db | DbTx,
  tenantId: string,
  input: ListCampaignsInput,
): Promise<{ items: CouponCampaignView[]; nextCursor: string | null }> {
  const status = input.status ?? null;
  const cursor = input.cursor ?? null;
  const rows = await db.$queryRaw<CampaignRow[]>`
    SELECT * FROM coupon_campaigns
    WHERE tenant_id = ${tenantId}
      AND (${status}::text IS NULL OR status = ${status})
      AND (${cursor}::text IS NULL OR id < ${cursor})
    ORDER BY id DESC
    LIMIT ${input.limit + 1}`;
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(campaignView),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
