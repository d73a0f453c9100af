import { assertIdentifier, type FactsTarget } from "@regulars/analytics";
import {
  conversionUplift,
  type GroupConversions,
  type MessageCounts,
  type MessageRates,
  messageRates,
  type Uplift,
} from "@regulars/campaigns";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { SendFailureCode } from "@regulars/messaging";
import { type SkippedMessages, skippedMessages, unsentMessageSteps } from "./skipped.ts";

export interface CampaignResults {
  campaignId: string;
  conversionDays: number;
  /**
   * Distinct customers who entered (at least one step planned to run) and who were held out as the control group. An
   * enrolment whose every step was skipped (no consent, no address, capped) counts in neither: at planning it is not
   * announced, and one settled skipped at send time is announced again `skipped`, stored as a row of its own
   * (`<enrolment>:skipped`) that leaves its `entered` row out of every count.
   */
  reach: { entered: number; control: number };
  /** Distinct messages per status reached (a message sent on a second attempt counts once); cancelled apart. */
  messages: MessageCounts;
  rates: MessageRates;
  /** Messages that never went, by reason: skipped at planning or queueing, or cancelled before sending. */
  skipped: SkippedMessages;
  coupons: {
    /** Coupons this campaign's steps put into wallets (Postgres: the wallet coupons keyed by its step keys). */
    issued: number;
    /** Uses, less uses given back by refunds, by entered customers of the coupon campaigns it issues. */
    redeemed: number;
  };
  /**
   * Customers with a sale (not refunded in full) within `conversionDays` after they were enrolled, entered against
   * control.
   */
  conversions: { entered: GroupConversions; control: GroupConversions; uplift: Uplift };
}

export interface ResultsDeps {
  db: Db;
  analytics: FactsTarget;
}

async function select<T>(target: FactsTarget, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await target.client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<T>();
}

/** Each figure of the campaign's messages (64-bit counts arrive as strings), the cancelled ones by their code. */
type MessageRow = Partial<Record<`${string}_count`, string>> & { cancelled_by_code?: Record<string, string> };

/** 64-bit counts arrive as strings; campaign figures stay far below 2^53. */
const int = (value: string | number | undefined): number => Number(value ?? 0);

/**
 * A condition on a `campaign_enrolments` row of the campaign: its enrolment was not corrected `skipped`. The writer
 * keeps each correction as a row of its own, `<enrolment>:skipped`, which a redelivered `entered` event (replacing
 * only the `entered` row) cannot undo.
 */
const notSkipped = (db: string) => `
  concat(enrolment_id, ':skipped') NOT IN (
    SELECT enrolment_id FROM ${db}.campaign_enrolments FINAL
     WHERE tenant_id = {tenant:String} AND campaign_id = {campaign:String} AND outcome = 'skipped')`;

/**
 * Each enrolled customer once, in one group, from their first enrolment in it: the start of their conversion window.
 * Only entered and control: an enrolment with a `skipped` row reached no one, treated in neither group. A customer
 * with both (the control group is drawn per campaign and customer id, so two accounts merged into one may have landed
 * one in each) was treated, and counts only as entered: else one person is in both groups and one sale converts both.
 */
const enrolled = (db: string) => `
  SELECT customer_id, if(treated, 'entered', 'control') AS outcome, enrolled_at
    FROM (
      SELECT customer_id, countIf(outcome = 'entered') > 0 AS treated,
             if(treated, minIf(occurred_at, outcome = 'entered'), min(occurred_at)) AS enrolled_at
        FROM ${db}.campaign_enrolments FINAL
       WHERE tenant_id = {tenant:String} AND campaign_id = {campaign:String} AND outcome IN ('entered', 'control')
         AND ${notSkipped(db)}
       GROUP BY customer_id)`;

/**
 * A campaign's results, counted in ClickHouse from the events the analytics writer stored, with every read
 * FINAL so a redelivered event counts once. Only the coupons issued are counted in Postgres: `coupon.issued`
 * says `source: "campaign"` but not which campaign, while the wallet coupon's issue key is the step's key.
 * Redemptions are attributed by customer and coupon campaign: a use, after the customer entered, of a coupon
 * campaign that this campaign issues. A conversion is a sale strictly after the enrolment (the sale that
 * triggered a first-purchase campaign is not its own conversion) and at most `conversionDays` later; the
 * control group's window starts when it was held out, so both groups get the same window. A sale its refunds have
 * taken back in full (they add up to its total, as a tier's order count reads it) bought nothing: no conversion.
 */
export async function campaignResults(
  deps: ResultsDeps,
  tenantId: string,
  campaignId: string,
  options: { conversionDays: number },
): Promise<CampaignResults> {
  const { db, analytics } = deps;
  const conversionDays = options.conversionDays;
  if (!Number.isInteger(conversionDays) || conversionDays < 1 || conversionDays > 365)
    throw new DomainError("invalid_request", "conversionDays must be a whole number of days from 1 to 365", [
      { path: "conversionDays", message: "1 to 365 days" },
    ]);
  const campaign = await db.campaign.findFirst({ where: { id: campaignId, tenantId }, select: { id: true } });
  if (!campaign)
    throw new DomainError("not_found", `no campaign ${campaignId}`, [
      { path: "campaignId", message: "no such campaign" },
    ]);
  const ch = assertIdentifier(analytics.database);
  const [couponCampaignIds, issued] = await Promise.all([
    couponCampaignsOf(db, campaignId),
    couponsIssued(db, tenantId, campaignId),
  ]);
  const params = { tenant: tenantId, campaign: campaignId, days: conversionDays, coupons: couponCampaignIds };

  const [messages, conversions, redemptions, unsentSteps] = await Promise.all([
    select<MessageRow>(
      analytics,
      // Each message once, by what befell it. A click proves the message was opened (an SMS or push has no open
      // pixel; an e-mail reader may block it), and an open or a click that it was delivered (receipts may be
      // missing): else an open rate of 0 beside clicks, or rates over 100%. `message.failed` says both that the
      // provider refused it or it bounced (a failed attempt) and that it was cancelled before it went (consent,
      // caps, the campaign ended): a message never sent whose code is none of the provider's refusals was cancelled,
      // and counts among the skipped by its code.
      `SELECT sum(sent) AS sent_count,
              sum(sent OR refused) AS attempted_count,
              sum(delivered) AS delivered_count,
              sum(opened) AS opened_count,
              sum(clicked) AS clicked_count,
              sum(failed AND NOT delivered AND (sent OR refused)) AS failed_count,
              sum(failed AND NOT delivered AND NOT sent AND NOT refused) AS cancelled_count,
              sumMapIf(map(failure_code, toUInt64(1)), failed AND NOT delivered AND NOT sent AND NOT refused)
                AS cancelled_by_code
         FROM (
           SELECT message_id,
                  countIf(type = 'sent') > 0 AS sent,
                  countIf(type IN ('delivered', 'opened', 'clicked')) > 0 AS delivered,
                  countIf(type IN ('opened', 'clicked')) > 0 AS opened,
                  countIf(type = 'clicked') > 0 AS clicked,
                  countIf(type = 'failed') > 0 AS failed,
                  countIf(type = 'failed' AND code IN {refusals:Array(String)}) > 0 AS refused,
                  anyIf(code, type = 'failed') AS failure_code
             FROM ${ch}.message_events FINAL
            WHERE tenant_id = {tenant:String} AND campaign_id = {campaign:String}
            GROUP BY message_id)`,
      { ...params, refusals: SendFailureCode.options },
    ),
    select<{ outcome: string; customers: string; converted: string }>(
      analytics,
      `WITH enrolled AS (${enrolled(ch)}),
            refunded AS (
              SELECT refund_of, sum(total) AS refunded, count() AS refunds FROM ${ch}.transactions FINAL
               WHERE tenant_id = {tenant:String} AND type = 'refund'
               GROUP BY refund_of),
            sales AS (
              SELECT s.customer_id AS customer_id, s.occurred_at AS occurred_at
                FROM ${ch}.transactions AS s FINAL
                LEFT JOIN refunded AS r ON r.refund_of = s.external_id
               WHERE s.tenant_id = {tenant:String} AND s.type = 'sale'
                 AND s.customer_id IN (SELECT customer_id FROM enrolled)
                 -- A sale paid wholly with points or wallet refunds nothing in money: any refund of it voids it.
                 AND (s.total > coalesce(r.refunded, 0) OR (s.total = 0 AND coalesce(r.refunds, 0) = 0)))
       SELECT outcome, count() AS customers, sum(bought) AS converted
         FROM (
           SELECT e.customer_id AS customer_id, e.outcome AS outcome,
                  max(s.occurred_at > e.enrolled_at
                      AND s.occurred_at <= e.enrolled_at + toIntervalDay({days:UInt32})) AS bought
             FROM enrolled AS e LEFT JOIN sales AS s ON s.customer_id = e.customer_id
            GROUP BY e.customer_id, e.outcome)
        GROUP BY outcome`,
      params,
    ),
    couponCampaignIds.length
      ? select<{ used: string; given_back: string }>(
          analytics,
          `WITH entered AS (
             SELECT customer_id, min(occurred_at) AS enrolled_at FROM ${ch}.campaign_enrolments FINAL
              WHERE tenant_id = {tenant:String} AND campaign_id = {campaign:String} AND outcome = 'entered'
                AND ${notSkipped(ch)}
              GROUP BY customer_id)
           SELECT countIf(NOT l.returned) AS used, countIf(l.returned) AS given_back
             FROM ${ch}.loyalty_events AS l FINAL
            INNER JOIN entered AS e ON e.customer_id = l.customer_id
            WHERE l.tenant_id = {tenant:String} AND l.type = 'coupon.redeemed'
              AND l.campaign_id IN {coupons:Array(String)} AND l.occurred_at >= e.enrolled_at`,
          params,
        )
      : Promise.resolve([{ used: "0", given_back: "0" }]),
    unsentMessageSteps(db, tenantId, campaignId),
  ]);

  const groups = new Map(conversions.map((r) => [r.outcome, r]));
  const group = (outcome: string): GroupConversions => ({
    customers: int(groups.get(outcome)?.customers),
    converted: int(groups.get(outcome)?.converted),
  });
  const entered = group("entered");
  const control = group("control");
  const m: MessageRow = messages[0] ?? {};
  const counts: MessageCounts = {
    reached: entered.customers,
    sent: int(m.sent_count),
    attempted: int(m.attempted_count),
    delivered: int(m.delivered_count),
    opened: int(m.opened_count),
    clicked: int(m.clicked_count),
    failed: int(m.failed_count),
    cancelled: int(m.cancelled_count),
  };
  const r = redemptions[0];
  return {
    campaignId,
    conversionDays,
    reach: { entered: entered.customers, control: control.customers },
    messages: counts,
    rates: messageRates(counts),
    skipped: skippedMessages(unsentSteps, m.cancelled_by_code ?? {}),
    coupons: { issued, redeemed: Math.max(0, int(r?.used) - int(r?.given_back)) },
    conversions: { entered, control, uplift: conversionUplift(entered, control) },
  };
}

/**
 * Every coupon campaign any version of the campaign issues: a use counts whichever version issued it. A version
 * this release cannot read may hold no list of actions: it issues nothing here rather than failing the results.
 */
async function couponCampaignsOf(db: Db, campaignId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT a ->> 'couponCampaignId' AS id
      FROM campaign_versions v,
           jsonb_array_elements(CASE WHEN jsonb_typeof(v.definition -> 'actions') = 'array'
                                     THEN v.definition -> 'actions' ELSE '[]'::jsonb END) AS a
     WHERE v.campaign_id = ${campaignId} AND a ->> 'type' = 'issue_coupon'
     ORDER BY id`;
  return rows.map((r) => r.id);
}

/** Wallet coupons whose issue key is one of the campaign's step keys (the runner issues under the step key). */
async function couponsIssued(db: Db, tenantId: string, campaignId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ issued: bigint }[]>`
    SELECT count(*) AS issued FROM wallet_coupons w
      JOIN campaign_steps s ON s.key = w.issue_key AND s.tenant_id = w.tenant_id
     WHERE s.tenant_id = ${tenantId} AND s.campaign_id = ${campaignId}`;
  return Number(row?.issued ?? 0);
}
