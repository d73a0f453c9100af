import type { Db, MessageModel } from "@regulars/db";
import { DomainError } from "@regulars/errors";

/**
 * A message as the admin's history of a customer or a campaign shows it: where it stands and when each status
 * was reached. Neither the address nor the rendered content: analysts read this list too, and those are the
 * customer's personal data. `lastError` is a provider's own words (redacted as it is stored, but written by a
 * third party, and by older versions without redaction), so it is shown to admins only; analysts read
 * `failureCode`.
 */
export interface MessageSummary {
  id: string;
  customerId: string | null;
  campaignId: string | null;
  templateId: string | null;
  /** A one-time code the customer's own action asked for (cashback at a till), not a campaign's message. */
  transactional: boolean;
  channel: string;
  language: string;
  status: string;
  attempts: number;
  provider: string | null;
  failureCode: string | null;
  /** Why the last attempt failed, in the provider's words; null for readers who may not see it. */
  lastError: string | null;
  sendAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  failedAt: string | null;
  createdAt: string;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toMessageSummary(row: MessageModel, withLastError: boolean): MessageSummary {
  return {
    id: row.id,
    customerId: row.customerId,
    campaignId: row.campaignId,
    templateId: row.templateId,
    transactional: row.transactional,
    channel: row.channel,
    language: row.language,
    status: row.status,
    attempts: row.attempts,
    provider: row.provider,
    failureCode: row.failureCode,
    lastError: withLastError ? row.lastError : null,
    sendAt: row.sendAt.toISOString(),
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    openedAt: iso(row.openedAt),
    clickedAt: iso(row.clickedAt),
    failedAt: iso(row.failedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export interface ListMessagesInput {
  customerId?: string;
  campaignId?: string;
  limit: number;
  /** The last id of the previous page. */
  cursor?: string | null;
}

export interface ListMessagesReader {
  /** Whether the reader sees `lastError`: admins do, analysts do not. */
  withLastError: boolean;
}

/** A customer's or a campaign's messages (or both: that customer's in that campaign), newest first. */
export async function listMessages(db: Db, tenantId: string, input: ListMessagesInput, reader: ListMessagesReader) {
  if (!input.customerId && !input.campaignId)
    throw new DomainError("invalid_request", "give a customerId or a campaignId", [
      { path: "customerId", message: "give a customerId or a campaignId" },
    ]);
  // Message ids are time-sortable, so id order is creation order and a stable cursor.
  const rows = await db.message.findMany({
    where: {
      tenantId,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.campaignId ? { campaignId: input.campaignId } : {}),
      ...(input.cursor ? { id: { lt: input.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((row) => toMessageSummary(row, reader.withLastError)),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
