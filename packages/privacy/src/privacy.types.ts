import { z } from "zod";

/**
 * A tenant's retention settings. null: kept (events, development messages, messages) or off (inactive erasure).
 * - `eventsMonths`: behavioural events in ClickHouse (app opens, page views: their properties may hold
 *   personal data); 25 by default, two full years plus a month for year-on-year comparisons.
 * - `devMessagesDays`: the development message sink (texts with one-time codes, phone numbers); 30 by default.
 * - `messagesDays`: a message that left the queue (sent, delivered, opened, clicked, failed or cancelled) keeps its
 *   address, rendered text and provider's error this long; 400 days by default, a year and a month, so a customer's
 *   question about last year's message can still be answered. The row stays with its statuses, timestamps,
 *   campaign, step and failure code: campaign results are counted in ClickHouse from message events (no addresses
 *   or texts there), and the message lists and frequency caps read the row.
 * - `eraseInactiveMonths`: erase customers with no activity for this long; off by default, since a
 *   customer's points are theirs until the programme's own expiry says otherwise.
 * Sales, refunds and the ledger are the tenant's accounting and are not subject to these settings.
 */
export const RetentionSettings = z.object({
  eventsMonths: z.number().int().min(1).max(120).nullable(),
  devMessagesDays: z.number().int().min(1).max(3650).nullable(),
  messagesDays: z.number().int().min(30).max(3650).nullable(),
  eraseInactiveMonths: z.number().int().min(6).max(240).nullable(),
});
export type RetentionSettings = z.infer<typeof RetentionSettings>;

export const defaultRetention: RetentionSettings = {
  eventsMonths: 25,
  devMessagesDays: 30,
  messagesDays: 400,
  eraseInactiveMonths: null,
};

export const RetentionUpdate = RetentionSettings.partial();
export type RetentionUpdate = z.infer<typeof RetentionUpdate>;

/** What `retention.get` answers: the settings and whether they are the defaults. */
export type RetentionView = RetentionSettings & { isDefault: boolean };

export const CustomerRef = z.object({ customerId: z.string().min(1).max(64) });

/** The customer's id typed a second time, so an erasure is never one mistaken click. */
export const EraseInput = CustomerRef.extend({
  confirmCustomerId: z.string().min(1).max(64),
});
export type EraseInput = z.infer<typeof EraseInput>;

export interface ErasureOutcome {
  status: "erased" | "already_erased";
  /** null when the customer was erased with the one it had been merged into. */
  requestId: string | null;
  erasedAt: string;
  /** true until ClickHouse's part is done (a retry or the scheduled job `finish-erasures` finishes it). */
  clickhousePending: boolean;
}
