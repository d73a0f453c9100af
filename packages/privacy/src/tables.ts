import { outboxEventsRule } from "./outbox-rule.ts";
import { erasedText, type PostgresTableRule } from "./table-rule.ts";

/**
 * Every table that holds something about a customer, and what export and erasure do with it. One line per
 * table: a table added later is classified here, and `test/coverage.test.ts` fails until it is (it lists
 * every Postgres table with a `customer_id` column, a foreign key to `customers` or a JSON column (unless
 * json-tables.ts says why its JSON names no customer), and every ClickHouse table with a `customer_id` column,
 * classified in clickhouse-tables.ts).
 *
 * Postgres: `where` names the person's rows of table alias `t`; `$1` is the tenant id, `$2` the customer ids
 * (the customer and every customer merged into it: one person), and in a rule that says `phones`, `$3` the spellings
 * of their phone identities (`personPhones`). Table names and conditions are literals of this file (and
 * outbox-rule.ts), never input.
 * Erasure:
 * - `scrub`: the `customers` row only: personal columns cleared, `erased_at` set; the row stays for the ledger.
 * - `delete`: personal or behavioural rows, deleted.
 * - `keep`: accounting (the ledger, sales, coupon counters) under the customer id, whose row no longer names
 *   anyone once scrubbed: the tenant's totals and every balance stay exactly as they were. A kept row may still
 *   hold free text staff typed about the customer, which may name or describe them: `redact` replaces it.
 *
 * Which kept text is staff-typed (redacted) and which is machine-written (kept): only an admin's action on the
 * customer carries typed text, and it is stored in two places. A ledger movement of kind `adjust` (only
 * `adjustBalance`, an admin's correction, posts one) keeps the admin's `reason`; every other kind's reason is
 * written by code ("points reached their expiry date", "merged into cus_…", an event type with a rule id) or
 * copied from a campaign's definition that thousands of customers share (`bonus`). An audit row of the person
 * keeps ids, figures and codes in `details`, except the `reason` an admin types (customers.adjust,
 * customers.setTierFloor): every `reason` key of the person's audit rows is redacted; and the consent choices an admin
 * recorded (customers.setConsents), a copy of the history erasure deletes, with their source. Other kept text columns
 * are machine-written: holds' `ended_reason`, sales' `explanation`, `applied_events.reason_message` (rejected
 * events have no customer), `erasure_requests.reason` (the cause). An admin's action on a customer already erased
 * stores `erasedText` instead of the typed reason (`adjustBalance`, `setTierFloor` of @regulars/ledger-store): the
 * sweep of recent erasures, which redacts text written since, ends 8 days after the erasure.
 *
 * Not here, as no table holds it: NATS. The streams keep a message as posted (a till's phone or card, an app
 * sign-in, a profile) until it is read and `STREAM_KEEP_READ_DAYS` old, the dead-letter stream 30 days. See "Erasure
 * and the streams" in docs/architecture.md.
 *
 * The outbox's line, the longest, is in outbox-rule.ts; what a line says, in table-rule.ts.
 */

const byCustomer = "t.customer_id = ANY($2::text[])";
const ofTransactions =
  "t.transaction_id IN (SELECT id FROM transactions x WHERE x.tenant_id = $1 AND x.customer_id = ANY($2::text[]))";
const ofHolds =
  "t.hold_id IN (SELECT id FROM checkout_holds h WHERE h.tenant_id = $1 AND h.customer_id = ANY($2::text[]))";
const ofAccounts =
  "t.account_id IN (SELECT id FROM ledger_accounts a WHERE a.tenant_id = $1 AND a.owner = ANY($2::text[]))";

/**
 * A refund that arrived before its sale waits in `parked_refunds` as the till's whole message (migration 0006),
 * whose `customer` names someone by one identity. Which of the person's customers it names, null when none: by id,
 * or by a phone, card or app sign-in of theirs, read while their identities are still there (erasure redacts before
 * it deletes them). The ledger takes a refund's customer from its sale, never from this field, so a message left
 * naming the customer by id only is still applied to the sale's customer when it comes, or rejected at its deadline.
 * A phone is read by either of its spellings (`$3`): the till's message keeps the number as posted, while the
 * person's identity holds the valid spelling only (new identities take it, and folding drops the other).
 */
const parkedRef = "t.message->'transaction'->'customer'";
const parkedPhone = `coalesce($3::jsonb ->> (${parkedRef}->>'phone'), ${parkedRef}->>'phone')`;
const parkedOwner =
  `coalesce(CASE WHEN ${parkedRef}->>'id' = ANY($2::text[]) THEN ${parkedRef}->>'id' END, ` +
  "(SELECT i.customer_id FROM customer_identities i WHERE i.tenant_id = $1 AND i.customer_id = ANY($2::text[]) AND " +
  `(i.kind, i.value) = (CASE WHEN ${parkedRef}->>'phone' IS NOT NULL THEN 'phone' ` +
  `WHEN ${parkedRef}->>'cardNumber' IS NOT NULL THEN 'card' ELSE 'ext:' || (${parkedRef}->'externalIdentity'->>'provider') END, ` +
  `coalesce(${parkedPhone}, upper(${parkedRef}->>'cardNumber'), ${parkedRef}->'externalIdentity'->>'subject')) ` +
  "ORDER BY i.customer_id LIMIT 1))";

const erasedJson = `to_jsonb('${erasedText}'::text)`;
/** An audit row's `reason`, as an admin typed it (customers.adjust, customers.setTierFloor). */
const typedReason = `t.details->'reason' IS NOT NULL AND t.details->'reason' <> ${erasedJson}`;
/**
 * The choices an admin recorded for the customer and where they were made (customers.setConsents, `details`:
 * `{ consents, source, occurredAt }`): the consent history erasure deletes. `choices` keeps how many there were.
 */
const recordedConsents = `t.action = 'customers.setConsents' AND t.details->'consents' IS DISTINCT FROM ${erasedJson}`;

export const postgresTables: Record<string, PostgresTableRule> = {
  customers: { where: "t.id = ANY($2::text[])", export: true, erase: "scrub", why: "name, e-mail, phone, card, birth" },
  customer_identities: { where: byCustomer, export: true, erase: "delete", why: "phone, card and app sign-ins" },
  customer_profiles: { where: byCustomer, export: true, erase: "delete", why: "registration and preferences" },
  customer_consents: {
    where: byCustomer,
    export: true,
    erase: "delete",
    why: "consent proof is needed only while we may contact the customer; erased customers are never contacted",
  },
  customer_push_tokens: { where: byCustomer, export: true, erase: "delete", why: "device tokens" },
  customer_merges: {
    where: "t.merged_id = ANY($2::text[]) OR t.into_id = ANY($2::text[])",
    export: true,
    erase: "keep",
    why: "ids and counts only; explains the ledger's transfer movements",
  },
  customer_loyalty: { where: byCustomer, export: true, erase: "keep", why: "tier state the ledger applies" },
  milestone_crossings: { where: byCustomer, export: true, erase: "keep", why: "derived from the ledger" },
  tier_gap_crossings: { where: byCustomer, export: true, erase: "keep", why: "derived from the ledger" },
  stamp_card_progress: { where: byCustomer, export: true, erase: "keep", why: "loyalty state the ledger applies" },
  ledger_accounts: { where: "t.owner = ANY($2::text[])", export: true, erase: "keep", why: "balances = Σ entries" },
  ledger_entries: { where: ofAccounts, export: true, erase: "keep", why: "append-only double entry" },
  ledger_movements: {
    where: byCustomer,
    export: true,
    erase: "keep",
    why: "the ledger; an admin's adjustment reason is staff-typed",
    redact: { rows: `t.kind = 'adjust' AND t.reason <> '${erasedText}'`, set: `reason = '${erasedText}'` },
  },
  point_lots: { where: byCustomer, export: true, erase: "keep", why: "points' expiry; the ledger" },
  applied_events: { where: byCustomer, export: true, erase: "keep", why: "events' outcomes and points paid" },
  transactions: { where: byCustomer, export: true, erase: "keep", why: "the tenant's sales and refunds" },
  transaction_lines: { where: ofTransactions, export: true, erase: "keep", why: "the tenant's sales and refunds" },
  checkout_holds: { where: byCustomer, export: true, erase: "keep", why: "points and cash reserved or spent" },
  hold_confirmations: { where: ofHolds, export: true, erase: "delete", why: "the phone a code was sent to" },
  wallet_coupons: { where: byCustomer, export: true, erase: "keep", why: "campaign issue counts" },
  coupon_uses: { where: byCustomer, export: true, erase: "keep", why: "campaign and code use counters" },
  dev_messages: { where: byCustomer, export: true, erase: "delete", why: "recipient and text of messages" },
  used_identity_tokens: {
    where: byCustomer,
    export: true,
    // Deleting them would make a used token identify again until it expires; pruneUsedIdentityTokens does after.
    erase: "keep",
    why: "kiosk sign-ins: ids and times only, kept until the token expires",
  },
  audit_log: {
    // An action on something else may name the customer in its details (an admin's coupon issued to them).
    where: "t.target = ANY($2::text[]) OR t.details->>'customerId' = ANY($2::text[])",
    export: true,
    erase: "keep",
    why: "admin actions on the customer: ids, figures and codes, the reason an admin typed, consents recorded",
    redact: {
      rows: `(${typedReason}) OR (${recordedConsents})`,
      set:
        `details = t.details || CASE WHEN ${typedReason} THEN jsonb_build_object('reason', ${erasedJson}) ` +
        `ELSE '{}'::jsonb END || CASE WHEN ${recordedConsents} THEN jsonb_build_object('consents', ${erasedJson}, ` +
        `'source', ${erasedJson}, 'choices', CASE WHEN jsonb_typeof(t.details->'consents') = 'array' ` +
        "THEN jsonb_array_length(t.details->'consents') END) ELSE '{}'::jsonb END",
    },
  },
  erasure_requests: { where: byCustomer, export: true, erase: "keep", why: "the erasure's own record, ids only" },
  profile_orders: { where: byCustomer, export: true, erase: "delete", why: "behavioural profile (migration 0012)" },
  segment_members: { where: byCustomer, export: true, erase: "delete", why: "profiling: segments (migration 0013)" },
  outbox_events: outboxEventsRule,
  webhook_deliveries: {
    // The customer.erased notice stays until delivered, retried or dead-lettered: it holds ids only, and it is
    // how the tenant's systems learn to forget the customer (the sweep runs for days after the erasure).
    where: "t.payload->'data'->>'customerId' = ANY($2::text[]) AND t.event_type <> 'customer.erased'",
    export: true,
    erase: "delete",
    why: "copies of domain events sent to the tenant's own webhook endpoints (migration 0015)",
  },
  campaign_enrolments: {
    where: byCustomer,
    export: true,
    erase: "delete",
    why: "which campaigns reached the customer, and why not (migration 0016)",
  },
  parked_refunds: {
    where: `${parkedOwner} IS NOT NULL`,
    phones: true,
    export: true,
    erase: "keep",
    why: "a refund waiting for its sale, as the till posted it: it names the customer by phone, card or app sign-in",
    // Kept, so the refund still ends as it would have: applied after its sale, or rejected (and dead-lettered) at its
    // deadline; the till's identity becomes the customer's id, which the erased row no longer ties to anyone. A retry of
    // the refund as posted is told by the body's fingerprint: a row parked before the ledger kept it (migration 0064)
    // gets it from the message as posted first (`keepParkedFingerprints`, in the redaction's transaction).
    redact: {
      rows: `${parkedRef} IS DISTINCT FROM jsonb_build_object('id', ${parkedOwner})`,
      set: `message = jsonb_set(t.message, '{transaction,customer}', jsonb_build_object('id', ${parkedOwner}))`,
    },
  },
  campaign_steps: { where: byCustomer, export: true, erase: "delete", why: "a campaign's steps for the customer" },
  messages: { where: byCustomer, export: true, erase: "delete", why: "recipient, text and delivery of messages" },
};
