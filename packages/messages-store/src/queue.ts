import { isKnownZone } from "@regulars/campaigns";
import { type DbTx, type SqlArrayElement, sqlArray } from "@regulars/db";
import { newId } from "@regulars/ids";
import { reachablePhoneSql } from "@regulars/ledger-store";
import {
  addOpenPixel,
  type Channel,
  chooseTemplate,
  composeMessage,
  isDeliverableAddress,
  LanguageTag,
  MessageTemplate,
  type MessageVariables,
  type RenderedContent,
} from "@regulars/messaging";
import { z } from "zod";
import { clickTracking, MessageTracking, type MessageTrackingInput, openPixelBase } from "./tracking.ts";
import { basicMessageVariablesOf } from "./variables.ts";

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
  /** The zone planning timed it in: the send check reads quiet hours on it (the tenant's clock when absent). */
  deliveryZone?: string | null | undefined;
  /** The coupon the step before issued, for `{{ coupon.code }}`. */
  coupon?: { code: string; title?: string; expiresOn?: string };
  /** The customer's full variables when the caller built them (tier, the next tier); the basic set otherwise. */
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
  return settled((await queueCampaignMessages(tx, [input], options))[0]!);
}

/** What a message of a batch came to: queued or skipped, or the error that kept it from being rendered. */
export type BatchQueueResult = QueueResult | { messageId: null; error: Error };

/** The customers' full variables by id, for a batch (`customersMessageVariables` of the campaigns store). */
export type VariablesLookup = (tenantId: string, customerIds: string[]) => Promise<Map<string, MessageVariables>>;

/**
 * `queueCampaignMessage` for many steps at once, with a handful of statements whatever their number: the
 * messages already queued for the keys, the templates, the recipients and the variables are read once for the
 * batch, and the new messages inserted in one statement. A broadcast to a large segment queues its messages at
 * thousands per second this way. One customer's template failing to render fails that message only. Results are
 * in the order of `inputs`.
 */
export async function queueCampaignMessages(
  tx: DbTx,
  inputs: readonly CampaignMessageInput[],
  options: QueueOptions & { variables?: VariablesLookup } = {},
): Promise<BatchQueueResult[]> {
  return queueFromTemplates(
    tx,
    inputs.map(({ coupon, ...rest }) => ({
      ...rest,
      key: rest.stepKey,
      extras: coupon
        ? {
            coupon: {
              code: coupon.code,
              ...(coupon.title !== undefined ? { title: coupon.title } : {}),
              ...(coupon.expiresOn !== undefined ? { expires_on: coupon.expiresOn } : {}),
            },
          }
        : {},
    })),
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
  return settled((await queueFromTemplates(tx, [{ ...input, campaignId: null, extras: {} }], options))[0]!);
}

function settled(result: BatchQueueResult): QueueResult {
  if ("error" in result) throw result.error;
  return result;
}

interface TemplateQueueInput {
  tenantId: string;
  customerId: string;
  campaignId: string | null;
  key?: string | undefined;
  templateId: string;
  channel: Channel;
  sendAt: Date;
  deliveryZone?: string | null | undefined;
  variables?: MessageVariables | undefined;
  extras: Pick<MessageVariables, "coupon">;
}

interface RecipientRow {
  id: string;
  email: string | null;
  phone: string | null;
  erased_at: Date | null;
  language: string | null;
  push_platform: string | null;
  push_token: string | null;
}

const Variants = z.array(MessageTemplate).min(1);

interface NewMessage {
  index: number;
  id: string;
  input: TemplateQueueInput;
  language: string;
  to: string;
  content: RenderedContent;
}

async function queueFromTemplates(
  tx: DbTx,
  inputs: readonly TemplateQueueInput[],
  options: QueueOptions & { variables?: VariablesLookup },
): Promise<BatchQueueResult[]> {
  const results: (BatchQueueResult | undefined)[] = new Array(inputs.length);
  // A key queued before (a step run again) answers with that message.
  const keys = inputs.flatMap((i) => (i.key ? [i.key] : []));
  const existing = keys.length
    ? new Map(
        (
          await tx.$queryRaw<{ step_key: string; id: string }[]>`
            SELECT step_key, id FROM messages WHERE step_key = ANY(${sqlArray(keys)}::text[])`
        ).map((r) => [r.step_key, r.id]),
      )
    : new Map<string, string>();
  const fresh: NewMessage[] = [];
  for (const [tenantId, group] of groupByTenant(inputs)) {
    const todo = group.filter(({ input, index }) => {
      const id = input.key ? existing.get(input.key) : undefined;
      if (id) results[index] = { messageId: id, status: "queued" };
      return !id;
    });
    if (!todo.length) continue;
    const customerIds = [...new Set(todo.map((t) => t.input.customerId))];
    const templateIds = [...new Set(todo.map((t) => t.input.templateId))];
    const [templates, recipients, [tenant]] = await Promise.all([
      tx.$queryRaw<{ id: string; channel: string; variants: unknown }[]>`
        SELECT id, channel, variants FROM message_templates
        WHERE tenant_id = ${tenantId} AND id = ANY(${sqlArray(templateIds)}::text[]) AND archived_at IS NULL`,
      tx.$queryRaw<RecipientRow[]>`
        SELECT c.id, c.email, ${reachablePhoneSql("c")} AS phone, c.erased_at, p.preferences->>'language' AS language,
          t.platform AS push_platform, t.token AS push_token
        FROM customers c
        LEFT JOIN customer_profiles p ON p.customer_id = c.id
        LEFT JOIN LATERAL (
          SELECT platform, token FROM customer_push_tokens
          WHERE tenant_id = c.tenant_id AND customer_id = c.id ORDER BY updated_at DESC, device_id LIMIT 1
        ) t ON true
        WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${sqlArray(customerIds)}::text[])`,
      tx.$queryRaw<{ language: string; timezone: string }[]>`
        SELECT language, timezone FROM tenants WHERE id = ${tenantId}`,
    ]);
    const templateOf = new Map(
      templates.map((t) => [t.id, { channel: t.channel, variants: Variants.safeParse(t.variants) }]),
    );
    const recipientOf = new Map(recipients.map((r) => [r.id, r]));
    // A set, not a search of `todo` per customer: that was 16 million comparisons for a chunk of 4,000.
    const lacking = [...new Set(todo.filter((t) => !t.input.variables).map((t) => t.input.customerId))];
    const variablesOf = lacking.length
      ? await (options.variables ?? ((tenant, ids) => basicMessageVariablesOf(tx, tenant, ids)))(tenantId, lacking)
      : new Map<string, MessageVariables>();

    for (const { input, index } of todo) {
      const template = templateOf.get(input.templateId);
      if (!template || template.channel !== input.channel || !template.variants.success) {
        results[index] = { messageId: null, skipped: "no_template" };
        continue;
      }
      const recipient = recipientOf.get(input.customerId);
      const to = recipient ? addressOf(input.channel, recipient) : null;
      const variables = input.variables ?? variablesOf.get(input.customerId);
      if (!recipient || !to || !variables) {
        results[index] = { messageId: null, skipped: "no_address" };
        continue;
      }
      // The customer's language, else the tenant's; a template in neither goes out in its first variant, which
      // the brand wrote and chose to put first.
      const variants = template.variants.data;
      const customerLanguage = LanguageTag.safeParse(recipient.language);
      const chosen =
        chooseTemplate(variants, customerLanguage.success ? customerLanguage.data : null, tenant?.language ?? "en") ??
        variants[0];
      if (!chosen) {
        results[index] = { messageId: null, skipped: "no_template" };
        continue;
      }
      const id = newId("message");
      // Its dates as the customer reads them: on the clock planning timed it by, else the tenant's.
      const zone = input.deliveryZone && isKnownZone(input.deliveryZone) ? input.deliveryZone : tenant?.timezone;
      try {
        const content = render(chosen, { ...variables, ...input.extras }, { messageId: id, timeZone: zone }, options);
        fresh.push({ index, id, input, language: chosen.language, to, content });
      } catch (e) {
        results[index] = { messageId: null, error: e instanceof Error ? e : new Error(String(e)) };
      }
    }
  }
  if (fresh.length) await insertMessages(tx, fresh, results);
  return results.map((r, i) => {
    if (!r) throw new Error(`message ${i} of the batch neither queued nor skipped`);
    return r;
  });
}

function groupByTenant(inputs: readonly TemplateQueueInput[]) {
  const groups = new Map<string, { input: TemplateQueueInput; index: number }[]>();
  inputs.forEach((input, index) => {
    const group = groups.get(input.tenantId) ?? [];
    group.push({ input, index });
    groups.set(input.tenantId, group);
  });
  return groups;
}

/**
 * One INSERT for the batch. A key another transaction queued meanwhile (it committed first) is not inserted
 * again: that message is the one, read back after.
 */
async function insertMessages(tx: DbTx, fresh: NewMessage[], results: (BatchQueueResult | undefined)[]) {
  const col = (f: (m: NewMessage) => SqlArrayElement) => sqlArray(fresh.map(f));
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, step_key, template_id, channel, language,
                          to_address, content, status, send_at, next_attempt_at, delivery_zone)
    SELECT m.id, m.tenant_id, m.customer_id, m.campaign_id, m.step_key, m.template_id, m.channel, m.language,
           m.to_address, m.content, 'queued', m.send_at, m.send_at, m.delivery_zone
    FROM unnest(${col((m) => m.id)}::text[], ${col((m) => m.input.tenantId)}::text[],
                ${col((m) => m.input.customerId)}::text[], ${col((m) => m.input.campaignId)}::text[],
                ${col((m) => m.input.key ?? null)}::text[], ${col((m) => m.input.templateId)}::text[],
                ${col((m) => m.input.channel)}::text[], ${col((m) => m.language)}::text[],
                ${col((m) => m.to)}::text[], ${col((m) => JSON.stringify(m.content))}::jsonb[],
                ${col((m) => m.input.sendAt)}::timestamptz[], ${col((m) => m.input.deliveryZone ?? null)}::text[])
      AS m(id, tenant_id, customer_id, campaign_id, step_key, template_id, channel, language, to_address, content,
           send_at, delivery_zone)
    ON CONFLICT (step_key) DO NOTHING
    RETURNING id`;
  const insertedIds = new Set(inserted.map((r) => r.id));
  const raced = fresh.filter((m) => !insertedIds.has(m.id));
  const winners = raced.length
    ? new Map(
        (
          await tx.$queryRaw<{ step_key: string; id: string }[]>`
            SELECT step_key, id FROM messages WHERE step_key = ANY(${sqlArray(raced.map((m) => m.input.key ?? ""))}::text[])`
        ).map((r) => [r.step_key, r.id]),
      )
    : new Map<string, string>();
  for (const m of fresh) {
    const id = insertedIds.has(m.id) ? m.id : winners.get(m.input.key ?? "");
    if (!id) throw new Error(`message for key ${m.input.key} neither inserted nor found`);
    results[m.index] = { messageId: id, status: "queued" };
  }
}

/** Where the channel reaches the customer; a push device is stored as `platform:token` (see `pushDeviceOf`). */
function addressOf(channel: Channel, r: RecipientRow): string | null {
  if (r.erased_at) return null;
  switch (channel) {
    case "email":
      return isDeliverableAddress("email", r.email) ? r.email : null;
    case "sms":
      return isDeliverableAddress("sms", r.phone) ? r.phone : null;
    case "push":
      return r.push_platform && r.push_token ? `${r.push_platform}:${r.push_token}` : null;
  }
}

function render(
  template: MessageTemplate,
  variables: MessageVariables,
  { messageId, timeZone }: { messageId: string; timeZone: string | undefined },
  { tracking: trackingInput }: QueueOptions,
): RenderedContent {
  if (!trackingInput) return composeMessage(template, variables, { messageId, timeZone }).content;
  const tracking = MessageTracking.parse(trackingInput);
  const { content } = composeMessage(template, variables, { messageId, timeZone, tracking: clickTracking(tracking) });
  if (tracking.opens && content.channel === "email" && content.html !== undefined)
    content.html = addOpenPixel(
      content.html,
      { baseUrl: openPixelBase(tracking), secrets: tracking.secrets },
      messageId,
    );
  return content;
}
