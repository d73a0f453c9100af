import type { DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import {
  addOpenPixel,
  type Channel,
  chooseTemplate,
  composeMessage,
  LanguageTag,
  MessageTemplate,
  type MessageVariables,
  type RenderedContent,
} from "@regulars/messaging";
import { z } from "zod";
import { clickTracking, MessageTracking, type MessageTrackingInput, openPixelBase } from "./tracking.ts";
import { basicMessageVariables } from "./variables.ts";

export interface CampaignMessageInput {
  tenantId: string;
  customerId: string;
  campaignId: string;
  /** The campaign step's key: the message's idempotency key, so a step run again queues nothing new. */
  stepKey: string;
  templateId: string;
  channel: Channel;
  /** When it may go out (local time and quiet hours already applied); frequency caps count by it. */
  sendAt: Date;
  /** The coupon the step before issued, for `{{ coupon.code }}`. */
  coupon?: { code: string; title?: string; expiresOn?: string };
  /** The customer's full variables when the caller built them (tier, deep links); the basic set otherwise. */
  variables?: MessageVariables;
}

export type QueueResult =
  | { messageId: string; status: "queued" }
  | { messageId: null; skipped: "no_address" | "no_template" };

export interface QueueOptions {
  /** Link tracking; without it links go out as written and nothing is tracked. */
  tracking?: MessageTrackingInput | null;
}

/**
 * Queues one campaign message: the tenant's template for the channel in the customer's language, rendered
 * with the customer's variables, links tracked under the message's id, addressed to the customer's e-mail,
 * phone or newest push device. Once per step key: a step run again (a crash, a redelivery, a second worker)
 * gets the id of the message queued the first time. A template that needs data the customer lacks throws the
 * renderer's `DomainError` (`unprocessable`), since sending it half-filled is worse than not sending it.
 */
export async function queueCampaignMessage(
  tx: DbTx,
  input: CampaignMessageInput,
  options: QueueOptions = {},
): Promise<QueueResult> {
  const [existing] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM messages WHERE step_key = ${input.stepKey}`;
  if (existing) return { messageId: existing.id, status: "queued" };
  const { coupon, ...rest } = input;
  return queueFromTemplate(
    tx,
    {
      ...rest,
      key: input.stepKey,
      extras: coupon
        ? {
            coupon: {
              code: coupon.code,
              ...(coupon.title !== undefined ? { title: coupon.title } : {}),
              ...(coupon.expiresOn !== undefined ? { expires_on: coupon.expiresOn } : {}),
            },
          }
        : {},
    },
    options,
  );
}

export interface MessageInput {
  tenantId: string;
  customerId: string;
  templateId: string;
  channel: Channel;
  sendAt: Date;
  /** An idempotency key of the caller's (kept in `step_key`): the same key queues once. */
  key?: string;
  variables?: MessageVariables;
}

/** A message outside campaigns (a notice the system sends), from one of the tenant's templates. */
export async function queueMessage(tx: DbTx, input: MessageInput, options: QueueOptions = {}): Promise<QueueResult> {
  if (input.key) {
    const [existing] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM messages WHERE step_key = ${input.key}`;
    if (existing) return { messageId: existing.id, status: "queued" };
  }
  return queueFromTemplate(tx, { ...input, campaignId: null, extras: {} }, options);
}

interface TemplateQueueInput {
  tenantId: string;
  customerId: string;
  campaignId: string | null;
  key?: string | undefined;
  templateId: string;
  channel: Channel;
  sendAt: Date;
  variables?: MessageVariables | undefined;
  extras: Pick<MessageVariables, "coupon">;
}

interface RecipientRow {
  email: string | null;
  phone: string | null;
  erased_at: Date | null;
  language: string | null;
  push_platform: string | null;
  push_token: string | null;
}

const Variants = z.array(MessageTemplate).min(1);
const emailAddress = z.email();
const e164 = /^\+[1-9]\d{6,14}$/;

async function queueFromTemplate(tx: DbTx, input: TemplateQueueInput, options: QueueOptions): Promise<QueueResult> {
  const [template] = await tx.$queryRaw<{ variants: unknown }[]>`
    SELECT variants FROM message_templates
    WHERE id = ${input.templateId} AND tenant_id = ${input.tenantId} AND channel = ${input.channel}
      AND archived_at IS NULL`;
  const variants = template ? Variants.safeParse(template.variants) : null;
  if (!variants?.success) return { messageId: null, skipped: "no_template" };

  const [recipient] = await tx.$queryRaw<RecipientRow[]>`
    SELECT c.email, c.phone, c.erased_at, p.preferences->>'language' AS language,
      t.platform AS push_platform, t.token AS push_token
    FROM customers c
    LEFT JOIN customer_profiles p ON p.customer_id = c.id
    LEFT JOIN LATERAL (
      SELECT platform, token FROM customer_push_tokens
      WHERE tenant_id = c.tenant_id AND customer_id = c.id ORDER BY updated_at DESC, device_id LIMIT 1
    ) t ON true
    WHERE c.tenant_id = ${input.tenantId} AND c.id = ${input.customerId}`;
  const to = recipient ? addressOf(input.channel, recipient) : null;
  if (!recipient || !to) return { messageId: null, skipped: "no_address" };

  // The template set's first variant is its default language: templates carry no tenant-wide default.
  const customerLanguage = LanguageTag.safeParse(recipient.language);
  const chosen = chooseTemplate(
    variants.data,
    customerLanguage.success ? customerLanguage.data : null,
    variants.data[0]!.language,
  );
  if (!chosen) return { messageId: null, skipped: "no_template" };

  const variables = input.variables ?? (await basicMessageVariables(tx, input.tenantId, input.customerId));
  if (!variables) return { messageId: null, skipped: "no_address" };
  const messageId = newId("message");
  const content = render(chosen, { ...variables, ...input.extras }, messageId, options.tracking);

  const [inserted] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, step_key, template_id, channel, language,
                          to_address, content, status, send_at, next_attempt_at)
    VALUES (${messageId}, ${input.tenantId}, ${input.customerId}, ${input.campaignId}, ${input.key ?? null},
            ${input.templateId}, ${input.channel}, ${chosen.language}, ${to}, ${JSON.stringify(content)}::jsonb,
            'queued', ${input.sendAt}, ${input.sendAt})
    ON CONFLICT (step_key) DO NOTHING
    RETURNING id`;
  if (inserted) return { messageId: inserted.id, status: "queued" };
  // Another transaction queued the same key meanwhile (it committed first): that message is the one.
  const [other] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM messages WHERE step_key = ${input.key ?? null}`;
  if (!other) throw new Error(`message for key ${input.key} neither inserted nor found`);
  return { messageId: other.id, status: "queued" };
}

/** Where the channel reaches the customer; a push device is stored as `platform:token` (see `pushDeviceOf`). */
function addressOf(channel: Channel, r: RecipientRow): string | null {
  if (r.erased_at) return null;
  switch (channel) {
    case "email":
      return r.email && emailAddress.safeParse(r.email).success ? r.email : null;
    case "sms":
      return r.phone && e164.test(r.phone) ? r.phone : null;
    case "push":
      return r.push_platform && r.push_token ? `${r.push_platform}:${r.push_token}` : null;
  }
}

function render(
  template: MessageTemplate,
  variables: MessageVariables,
  messageId: string,
  trackingInput: MessageTrackingInput | null | undefined,
): RenderedContent {
  if (!trackingInput) return composeMessage(template, variables, { messageId }).content;
  const tracking = MessageTracking.parse(trackingInput);
  const { content } = composeMessage(template, variables, { messageId, tracking: clickTracking(tracking) });
  if (tracking.opens && content.channel === "email" && content.html !== undefined)
    content.html = addOpenPixel(
      content.html,
      { baseUrl: openPixelBase(tracking), secrets: tracking.secrets },
      messageId,
    );
  return content;
}
