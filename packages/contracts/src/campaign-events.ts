import { z } from "zod";

/**
 * Domain events of campaigns and messages. They travel the domain stream like the ledger's: ClickHouse keeps
 * them for campaign results, webhooks deliver them (`message.*`), and campaigns may listen to them.
 */

const base = {
  /** Stable: a redelivered step or a repeated provider report makes the same id, so JetStream drops the copy. */
  id: z.string(),
  tenantId: z.string(),
  customerId: z.string(),
  occurredAt: z.string(),
};

/**
 * A customer entered a campaign (`entered`: its steps are planned) or was held out as its control group
 * (`control`). Refusals (already received, no audience) are not announced; the admin reads them in Postgres.
 * `skipped` corrects an enrolment announced `entered` of which no step ran (each refused at send time for a reason of
 * the customer's own): same enrolment, its own id (`campaign-enrolled:<enrolment>:skipped`); ClickHouse keeps it as a
 * row of its own beside the first (a redelivered first cannot replace it), and results leave the enrolment out.
 * Nothing is planned or triggered by it.
 */
export const CampaignEnrolled = z.object({
  ...base,
  type: z.literal("campaign.enrolled"),
  campaignId: z.string(),
  version: z.number().int(),
  enrolmentId: z.string(),
  occurrence: z.string(),
  outcome: z.enum(["entered", "control", "skipped"]),
  /**
   * How many campaigns the chain that led here holds, this one included: 1 when a customer's act started it, 2 when
   * another campaign's bonus, coupon, message or enrolment did. A campaign-caused event this deep or deeper starts no
   * campaign, so campaigns cannot start each other without end. Absent: 1.
   */
  causeDepth: z.number().int().min(1).optional(),
});
export type CampaignEnrolled = z.infer<typeof CampaignEnrolled>;

const messageBase = {
  ...base,
  messageId: z.string(),
  /** Null for a message sent outside campaigns (a one-time code). */
  campaignId: z.string().nullable(),
  channel: z.enum(["email", "sms", "push"]),
};

/** The provider took the message. */
export const MessageSent = z.object({
  ...messageBase,
  type: z.literal("message.sent"),
  provider: z.string(),
  attempt: z.number().int().min(1),
});
/** The provider reported it delivered to the device, inbox or phone. */
export const MessageDelivered = z.object({
  ...messageBase,
  type: z.literal("message.delivered"),
  provider: z.string(),
});
/** It will not be sent: refused by the provider, out of attempts, or no longer allowed (consent, caps). */
export const MessageFailed = z.object({
  ...messageBase,
  type: z.literal("message.failed"),
  /**
   * A `SendFailureCode` of `@regulars/messaging`, or `no_consent` / `no_profiling_consent` / `no_address` / `capped` /
   * `cancelled`.
   */
  code: z.string(),
  reason: z.string(),
});
/** The e-mail was opened (its tracking pixel was loaded). */
export const MessageOpened = z.object({ ...messageBase, type: z.literal("message.opened") });
/** A tracked link of the message was followed. */
export const MessageClicked = z.object({ ...messageBase, type: z.literal("message.clicked"), url: z.string() });

export type MessageSent = z.infer<typeof MessageSent>;
export type MessageDelivered = z.infer<typeof MessageDelivered>;
export type MessageFailed = z.infer<typeof MessageFailed>;
export type MessageOpened = z.infer<typeof MessageOpened>;
export type MessageClicked = z.infer<typeof MessageClicked>;

/**
 * Every campaign and message event type. A broadcast makes two of them per member (enrolled, sent), so they travel
 * the domain stream on subjects of their own (see the bus topology): the consumers of the ledger's and customers'
 * events filter them out on the server instead of receiving and dropping a hundred thousand of them.
 */
export const campaignEventTypes: ReadonlySet<string> = new Set(
  [CampaignEnrolled, MessageSent, MessageDelivered, MessageFailed, MessageOpened, MessageClicked].map(
    (schema) => schema.shape.type.value,
  ),
);
