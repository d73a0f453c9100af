import {
  type CampaignEnrolled,
  campaignEventTypes,
  type MessageClicked,
  type MessageDelivered,
  type MessageFailed,
  type MessageOpened,
  type MessageSent,
} from "@regulars/contracts";
import { assertIdentifier } from "./config.ts";
import type { FactsTarget } from "./loyalty-events.ts";
import { splitByPartition } from "./partitions.ts";
import { toClickHouseDateTime } from "./time.ts";

export type MessageEvent = MessageSent | MessageDelivered | MessageFailed | MessageOpened | MessageClicked;
export type CampaignEvent = CampaignEnrolled | MessageEvent;

/** Whether a domain event goes to the campaign tables of migrations/0006_campaign_events.sql. */
export const isCampaignEvent = (e: { type: string }): e is CampaignEvent => campaignEventTypes.has(e.type);

/** A row of `campaign_enrolments`; `ingested_at` is left to the column default. */
export interface CampaignEnrolmentRow {
  tenant_id: string;
  campaign_id: string;
  enrolment_id: string;
  id: string;
  occurred_at: string;
  customer_id: string;
  version: number;
  occurrence: string;
  outcome: CampaignEnrolled["outcome"];
}

/** A row of `message_events`; columns a type does not have hold '' or 0. */
export interface MessageEventRow {
  tenant_id: string;
  campaign_id: string;
  message_id: string;
  /** The event type without `message.`: `sent`, `delivered`, `failed`, `opened`, `clicked`. */
  type: string;
  id: string;
  occurred_at: string;
  customer_id: string;
  channel: string;
  provider: string;
  attempt: number;
  code: string;
  url: string;
}

/**
 * A `skipped` correction is keyed `<enrolmentId>:skipped`, a row of its own beside the enrolment's `entered` one:
 * under the enrolment's own key the last row ingested would win, and the first announcement, redelivered or
 * re-ingested after the correction (delivery is at least once), would count the customer reached again. Results
 * leave out an enrolment that has such a row.
 */
export function toCampaignEnrolmentRow(e: CampaignEnrolled): CampaignEnrolmentRow {
  return {
    tenant_id: e.tenantId,
    campaign_id: e.campaignId,
    enrolment_id: e.outcome === "skipped" ? `${e.enrolmentId}:skipped` : e.enrolmentId,
    id: e.id,
    occurred_at: toClickHouseDateTime(e.occurredAt),
    customer_id: e.customerId,
    version: e.version,
    occurrence: e.occurrence,
    outcome: e.outcome,
  };
}

export function toMessageEventRow(e: MessageEvent): MessageEventRow {
  return {
    tenant_id: e.tenantId,
    campaign_id: e.campaignId ?? "",
    message_id: e.messageId,
    type: e.type.slice("message.".length),
    id: e.id,
    occurred_at: toClickHouseDateTime(e.occurredAt),
    customer_id: e.customerId,
    channel: e.channel,
    provider: "provider" in e ? e.provider : "",
    attempt: e.type === "message.sent" ? e.attempt : 0,
    // The provider's reason may quote the address: only the code goes to ClickHouse.
    code: e.type === "message.failed" ? e.code : "",
    url: e.type === "message.clicked" ? e.url : "",
  };
}

/**
 * Inserts enrolments and message events, one insert per table and month touched. Rows are built first, so
 * an event with a time without an offset fails the batch before anything is written.
 */
export async function insertCampaignEvents(target: FactsTarget, events: readonly CampaignEvent[]): Promise<void> {
  const db = assertIdentifier(target.database);
  const enrolments: CampaignEnrolmentRow[] = [];
  const messages: MessageEventRow[] = [];
  for (const e of events) {
    if (e.type === "campaign.enrolled") enrolments.push(toCampaignEnrolmentRow(e));
    else messages.push(toMessageEventRow(e));
  }
  for (const part of splitByPartition(enrolments))
    await target.client.insert({ table: `${db}.campaign_enrolments`, values: part, format: "JSONEachRow" });
  for (const part of splitByPartition(messages))
    await target.client.insert({ table: `${db}.message_events`, values: part, format: "JSONEachRow" });
}
