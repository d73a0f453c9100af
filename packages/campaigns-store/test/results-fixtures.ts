import type { CampaignEvent, MessageEvent, TransactionFact } from "@regulars/analytics";
import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { createCampaign } from "../src/index.ts";
import { ACTOR, addCustomer, campaignTenant, emailTemplate, welcomeDefinition } from "./admin-fixtures.ts";

// A campaign's results world: its customers' enrolments, messages and sales as the analytics writer stores them.

const day = 86_400_000;
const now = new Date();
export const at = (t: Date, days: number) => new Date(t.getTime() + days * day);
export const enrolledAt = at(now, -30);

let sale = 0;
export const saleOf = (tenantId: string, customerId: string, when: Date): TransactionFact => ({
  tenantId,
  transactionId: `txn_${++sale}_${customerId}`,
  externalId: `R-${sale}`,
  type: "sale" as const,
  refundOf: null,
  occurredAt: when.toISOString(),
  locationId: "store-1",
  channel: "pos",
  customerId,
  currency: "EUR",
  total: 1200,
  discountTotal: 0,
  points: 12,
  lines: [],
});

/** A refund of `total` (of the sale's 1200) of a sale, posted at `when`. */
export const refundOf = (of: TransactionFact, total: number, when: Date): TransactionFact => ({
  ...of,
  transactionId: `txn_${++sale}_refund`,
  externalId: `R-${sale}`,
  type: "refund",
  refundOf: of.externalId,
  occurredAt: when.toISOString(),
  total,
  points: 0,
});

export interface World {
  tenantId: string;
  campaignId: string;
  couponCampaignId: string;
  entered: string[];
  control: string[];
}

/** A campaign that issues a coupon and sends an e-mail; four customers entered it, two were held out. */
export async function world(db: Db): Promise<World> {
  const tenantId = await campaignTenant(db);
  const template = await emailTemplate(db, tenantId);
  const coupon = await createCouponCampaign(
    db,
    tenantId,
    {
      name: "Fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "unique", pattern: "FRY-XXXXXX" },
    },
    ACTOR,
  );
  const campaign = await createCampaign(
    db,
    tenantId,
    welcomeDefinition(template.id, {
      status: "active",
      actions: [
        { type: "issue_coupon", couponCampaignId: coupon.id },
        { type: "send_message", channel: "email", templateId: template.id },
      ],
      controlGroup: { share: 0.3 },
    }),
    ACTOR,
  );
  const entered = await Promise.all([1, 2, 3, 4].map(() => addCustomer(db, tenantId)));
  const control = await Promise.all([1, 2].map(() => addCustomer(db, tenantId)));
  return { tenantId, campaignId: campaign.id, couponCampaignId: coupon.id, entered, control };
}

export const enrolment = (w: World, customerId: string, outcome: "entered" | "control" | "skipped"): CampaignEvent => ({
  type: "campaign.enrolled",
  id: `enrolled:${w.campaignId}:${customerId}`,
  tenantId: w.tenantId,
  customerId,
  occurredAt: enrolledAt.toISOString(),
  campaignId: w.campaignId,
  version: 1,
  enrolmentId: `enr:${w.campaignId}:${customerId}`,
  occurrence: "registered",
  outcome,
});

export function messageEvent(
  w: World,
  customerId: string,
  messageId: string,
  type: MessageEvent["type"],
  id = `${type}:${messageId}`,
  /** A `message.failed`'s code: the provider's refusal by default. */
  code = "rejected",
): MessageEvent {
  const base = {
    id,
    tenantId: w.tenantId,
    customerId,
    occurredAt: at(enrolledAt, 0.01).toISOString(),
    messageId,
    campaignId: w.campaignId,
    channel: "email" as const,
  };
  switch (type) {
    case "message.sent":
      return { ...base, type, provider: "smtp", attempt: 1 };
    case "message.delivered":
      return { ...base, type, provider: "smtp" };
    case "message.failed":
      return { ...base, type, code, reason: "mailbox unknown" };
    case "message.opened":
      return { ...base, type };
    case "message.clicked":
      return { ...base, type, url: "https://example.com/menu" };
  }
}
