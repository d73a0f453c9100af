import { randomInt } from "node:crypto";
import { recordAudit } from "@regulars/audit";
import { generateCodes, patternCapacity, patternTooShortMessage } from "@regulars/checkout";
import type { LoyaltyEvent } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { lockSurvivor, outboxItem, writeOutbox } from "@regulars/ledger-store";
import { codesOfPattern, codesThereAlready } from "./pattern-codes.ts";
import { type CouponCampaignView, type DbOrTx, inTransaction, loadCampaign, maxUsesOf } from "./shared.ts";

export interface IssueCouponInput {
  tenantId: string;
  customerId: string;
  campaignId: string;
  /** Idempotency: issuing again with the same key gives back the same wallet coupon and nothing new. */
  issueKey: string;
  /** Who issued it (an API key id, a campaign), kept on the wallet coupon. */
  issuedBy: string | null;
  /** Why, as the coupon.issued event tells it: `admin`, `campaign`, `registration`, ... */
  source: string;
}

export interface IssuedCoupon {
  id: string;
  campaignId: string;
  customerId: string;
  code: string;
  issuedAt: string;
  /** False when the issue key had issued this coupon before. */
  created: boolean;
}

interface WalletRow {
  id: string;
  customer_id: string;
  campaign_id: string;
  code: string;
  issued_at: Date;
}

const issued = (row: WalletRow, created: boolean): IssuedCoupon => ({
  id: row.id,
  campaignId: row.campaign_id,
  customerId: row.customer_id,
  code: row.code,
  issuedAt: row.issued_at.toISOString(),
  created,
});

/**
 * Puts a coupon into a customer's wallet: the campaign's code for a generic campaign, a fresh code made
 * for this customer for a unique one. The `coupon.issued` event goes to the outbox in the same
 * transaction. An imported campaign's codes belong to its partner's hand-out and are not issued here.
 */
export async function issueCoupon(db: DbOrTx, input: IssueCouponInput): Promise<IssuedCoupon> {
  return inTransaction(db, async (tx) => {
    const { tenantId, campaignId, issueKey } = input;
    // The customer's lock first (holds take it before the campaign's): a merge committing meanwhile is followed
    // to the survivor, so the coupon never lands in the emptied wallet of a merged-away customer; a replay by the
    // merged-away id finds the coupon the merge moved to the survivor.
    const customer = await lockSurvivor(tx, tenantId, input.customerId);
    if (!customer) throw new DomainError("not_found", `no customer ${input.customerId} in this tenant`);
    // An erased person is no one any more (holds and profile reads answer the same): a coupon issued to them would
    // be announced in coupon.issued and sit in a wallet nobody can use. Under the customer's lock, so an erasure
    // committing meanwhile is seen.
    if (customer.erased)
      throw new DomainError("not_found", `no customer ${input.customerId}: their personal data was erased`);
    const customerId = customer.id;
    const asked = { ...input, customerId };
    const before = await walletCouponByKey(tx, tenantId, issueKey);
    if (before) return sameIssue(before, asked);
    const campaign = await loadCampaign(tx, tenantId, campaignId);
    refuseUnissuable(campaign);
    const code =
      campaign.config.codes.kind === "generic"
        ? campaign.config.codes.code
        : await claimFreshCode(tx, tenantId, campaign);
    const [row] = await tx.$queryRaw<WalletRow[]>`
      INSERT INTO wallet_coupons (id, tenant_id, customer_id, campaign_id, code, issue_key, issued_by)
      VALUES (${newId("walletCoupon")}, ${tenantId}, ${customerId}, ${campaignId}, ${code}, ${issueKey}, ${input.issuedBy})
      ON CONFLICT (tenant_id, issue_key) DO NOTHING
      RETURNING id, customer_id, campaign_id, code, issued_at`;
    if (!row) {
      // Another transaction issued with this key meanwhile (the insert waited for it to commit).
      if (campaign.config.codes.kind !== "generic")
        await tx.$executeRaw`DELETE FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ${code}`;
      return sameIssue((await walletCouponByKey(tx, tenantId, issueKey))!, asked);
    }
    const event: LoyaltyEvent = {
      type: "coupon.issued",
      id: `coupon-issued:${row.id}`,
      tenantId,
      customerId,
      occurredAt: row.issued_at.toISOString(),
      campaignId,
      code,
      source: input.source,
      // A campaign's step issues under the campaign's id: the event names it, so it does not start that campaign again.
      ...(input.source === "campaign" && input.issuedBy ? { causedByCampaignId: input.issuedBy } : {}),
    };
    await writeOutbox(tx, [outboxItem(event)]);
    return issued(row, true);
  });
}

/** An admin's issue: the same, with an audit row when a coupon was actually issued. */
export async function issueCouponAsAdmin(
  db: DbOrTx,
  input: Omit<IssueCouponInput, "issuedBy" | "source">,
  actor: string,
): Promise<IssuedCoupon> {
  return inTransaction(db, async (tx) => {
    const coupon = await issueCoupon(tx, { ...input, issuedBy: actor, source: "admin" });
    if (coupon.created)
      await recordAudit(tx, {
        tenantId: input.tenantId,
        actor,
        action: "coupons.issue",
        target: input.campaignId,
        details: { customerId: input.customerId, walletCouponId: coupon.id, issueKey: input.issueKey },
      });
    return coupon;
  });
}

function refuseUnissuable(campaign: CouponCampaignView) {
  if (campaign.status === "paused")
    throw new DomainError("unprocessable", `coupon campaign ${campaign.id} is paused; resume it to issue coupons`);
  if (campaign.config.codes.kind === "imported")
    throw new DomainError(
      "unprocessable",
      `coupon campaign ${campaign.id} has imported codes, which its partner hands out; issue a generic or unique campaign`,
    );
  const validTo = campaign.config.conditions.validTo;
  if (validTo && Date.parse(validTo) <= Date.now())
    throw new DomainError("unprocessable", `coupon campaign ${campaign.id} ended at ${validTo}`);
}

function sameIssue(row: WalletRow, input: IssueCouponInput): IssuedCoupon {
  if (row.customer_id !== input.customerId || row.campaign_id !== input.campaignId)
    throw new DomainError(
      "idempotency_conflict",
      `issue key ${input.issueKey} already issued campaign ${row.campaign_id} to customer ${row.customer_id}`,
    );
  return issued(row, false);
}

async function walletCouponByKey(tx: DbTx, tenantId: string, issueKey: string): Promise<WalletRow | undefined> {
  const [row] = await tx.$queryRaw<WalletRow[]>`
    SELECT id, customer_id, campaign_id, code, issued_at FROM wallet_coupons
    WHERE tenant_id = ${tenantId} AND issue_key = ${issueKey}`;
  return row;
}

/**
 * A new code of a unique campaign's pattern, reserved for one customer; drawn again on the rare collision.
 * Wallet codes fill the pattern's space as generated ones do, so they meet the same capacity, counted over every
 * code of the pattern's shape as generation counts it (other campaigns' on the same pattern too): past it, a guessed
 * code would too often be a real one.
 */
async function claimFreshCode(tx: DbTx, tenantId: string, campaign: CouponCampaignView): Promise<string> {
  if (campaign.config.codes.kind !== "unique") throw new Error("a fresh code needs a pattern");
  const pattern = campaign.config.codes.pattern;
  const capacity = patternCapacity(pattern);
  const existing = countsThisTime(capacity) ? await codesOfPattern(tx, tenantId, pattern) : 0;
  if (existing + 1 > capacity)
    throw new DomainError(
      "unprocessable",
      `coupon campaign ${campaign.id} cannot issue another code: ${patternTooShortMessage(pattern, existing + 1)}` +
        `${codesThereAlready(existing)}; change the campaign's pattern`,
    );
  for (let attempt = 0; attempt < 20; attempt++) {
    const [code] = generateCodes(pattern, 1);
    const claimed = await tx.$executeRaw`
      INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
      VALUES (${tenantId}, ${code!}, ${campaign.id}, 'issued', ${maxUsesOf(campaign.config)})
      ON CONFLICT DO NOTHING`;
    if (claimed) return code!;
  }
  throw new DomainError("unprocessable", `the pattern of campaign ${campaign.id} is full: add X's`);
}

/**
 * Whether this claim counts the pattern's codes: always while the pattern holds at most `exactUpTo` codes, and
 * otherwise at random, `exactUpTo` times in `capacity`. A count reads every code of the pattern, so counting on
 * every claim would make issuing a big campaign's coupons quadratic (110,000 codes: ~3 ms a count); counted this
 * often, a pattern is found full within about `capacity / exactUpTo` claims of it, 0.1% past its capacity at worst,
 * which leaves codes just as unguessable.
 */
const exactUpTo = 1_000;
const countsThisTime = (capacity: number): boolean => capacity <= exactUpTo || randomInt(capacity) < exactUpTo;

/**
 * Welcome coupons: every active campaign marked `issueOnRegistration` goes into the wallet of a customer who
 * has just signed up, once (the issue key names the customer and the campaign), in the caller's transaction.
 */
export async function issueRegistrationCoupons(
  tx: DbOrTx,
  tenantId: string,
  customerId: string,
): Promise<IssuedCoupon[]> {
  const campaigns = await tx.$queryRaw<{ id: string; valid_to: string | null }[]>`
    SELECT id, config->'conditions'->>'validTo' AS valid_to FROM coupon_campaigns
    WHERE tenant_id = ${tenantId} AND status = 'active' AND (config->>'issueOnRegistration')::boolean
      AND config->'codes'->>'kind' <> 'imported'
    ORDER BY id`;
  const issued: IssuedCoupon[] = [];
  for (const c of campaigns.filter((x) => !x.valid_to || Date.parse(x.valid_to) > Date.now())) {
    try {
      issued.push(
        await issueCoupon(tx, {
          tenantId,
          customerId,
          campaignId: c.id,
          issueKey: `registration:${customerId}:${c.id}`,
          issuedBy: null,
          source: "registration",
        }),
      );
    } catch (e) {
      // A welcome campaign whose pattern is full (refused before anything is written) must not stop the sign-up
      // itself: the customer is registered without that coupon, and the admins see why in the audit log.
      if (!(e instanceof DomainError) || e.code !== "unprocessable") throw e;
      await recordAudit(tx, {
        tenantId,
        actor: "system:registration",
        action: "coupons.issue_skipped",
        target: customerId,
        details: { customerId, campaignId: c.id, reason: e.message },
      });
    }
  }
  return issued;
}
