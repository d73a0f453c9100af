import { erasedText, type PostgresTableRule } from "./table-rule.ts";

/**
 * An outbox batch row (`outboxBatch` of @regulars/ledger-store) keeps each event's payload less the fields every
 * event of the row shares, which it keeps once in `shared`: a customer's id is in one place or the other. Three kinds
 * of event can hold personal data, in their own rows and in batch rows alike. Deleted: behavioural events
 * (event.recorded: free-text properties), and consent changes (consent.changed: the customer's choice per channel and
 * purpose, and `source`, where they made it, which staff type for a paper form), a copy of the consent history
 * erasure deletes. Kept, since campaign figures count them, with what names the person taken out: message events
 * (`outboxMessageRedaction`). The other events carry ids, figures and codes: customer.created and customer.updated
 * name the profile's fields that changed, never their values; coupon.issued's `source` is written by code
 * (`campaign`, `admin`, `registration`); transaction.processed refers to the sale, which is kept. `e` is an element
 * of the row's `events`.
 *
 * A consent change goes unpublished too: it cannot be redacted and still be one (every consumer parses its channel,
 * purpose and choice, `ConsentChanged` of @regulars/contracts), and nothing downstream needs it any more. The relay
 * would publish it after the erasure's customer.erased, naming someone the tenant's systems were just told to
 * forget; the customer's pending webhook deliveries are deleted as well (customer.erased aside); segments and
 * campaigns have nothing left to do for an erased customer.
 */
const deletedTypes = "('event.recorded', 'consent.changed')";
const personalEntry =
  `(e->>'type' IN ${deletedTypes} AND ` +
  "coalesce(e->'payload'->>'customerId', t.payload->'shared'->>'customerId') = ANY($2::text[]))";
/** A behavioural event or consent change of the person in a row of its own. */
const personalCopy = `(t.type IN ${deletedTypes} AND t.payload->>'customerId' = ANY($2::text[]))`;
const outboxWhere =
  `${personalCopy} OR ` +
  // A row of nothing but the person's deleted events goes whole (IS NOT TRUE: an anonymous event keeps it).
  "(t.type = 'outbox.batch' AND NOT EXISTS (" +
  `SELECT 1 FROM jsonb_array_elements(t.payload->'events') e WHERE ${personalEntry} IS NOT TRUE))`;
const outboxShared = {
  holding:
    "t.type = 'outbox.batch' AND EXISTS (" +
    `SELECT 1 FROM jsonb_array_elements(t.payload->'events') e WHERE ${personalEntry})`,
  without:
    "payload = jsonb_set(t.payload, '{events}', (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) " +
    `FROM jsonb_array_elements(t.payload->'events') WITH ORDINALITY AS x(e, i) WHERE ${personalEntry} IS NOT TRUE))`,
};

/**
 * Scheme and host of a link (`siteOfLink` of clickhouse-tables.ts, in Postgres), '' when it has none: user info,
 * port, path, query and fragment go. The user info ends at the last '@' before the path, as browsers read it.
 */
const pgSiteOfLink = (link: string) =>
  `coalesce((SELECT m[1] || m[2] FROM regexp_match(${link}, ` +
  String.raw`'^([A-Za-z][A-Za-z0-9+.-]*://)(?:[^/?#]*@)?(\[[^]/?#]*\]|[^]/?#:@[]+)'` +
  ") m), '')";

/**
 * Message events' fields that may name the person, as erasure leaves them (a jsonb object to merge into the
 * payload), for an event of type `type` and whole payload `p`: a clicked link as its template rendered it (the
 * customer's name, e-mail or phone anywhere in it) keeps its site, which campaign results may count clicks by; a
 * failure's reason (the provider's words, which may quote the address) goes, its code stays.
 */
const messageRedacted = (type: string, p: string) =>
  `(CASE ${type} WHEN 'message.clicked' THEN jsonb_build_object('url', ${pgSiteOfLink(`${p}->>'url'`)}) ` +
  `WHEN 'message.failed' THEN jsonb_build_object('reason', '${erasedText}') ELSE '{}'::jsonb END)`;
const personalMessageTypes = "('message.clicked', 'message.failed')";
const messageEntry =
  `(e->>'type' IN ${personalMessageTypes} AND ` +
  "coalesce(e->'payload'->>'customerId', t.payload->'shared'->>'customerId') = ANY($2::text[]))";
/** A message event of the person that may name them, in a row of its own. */
const messageCopy = `(t.type IN ${personalMessageTypes} AND t.payload->>'customerId' = ANY($2::text[]))`;
/** A batch entry's whole payload, as publishing expands it. */
const wholeEntry = "(t.payload->'shared' || (e->'payload'))";
/** A batch row's shared link or reason: the person's entry gets its own redacted copy, the others theirs as it was. */
const sharedText =
  "jsonb_strip_nulls(jsonb_build_object('url', t.payload->'shared'->'url', 'reason', t.payload->'shared'->'reason'))";
const outboxMessageRedaction = {
  where:
    `${messageCopy} OR ` +
    `(t.type = 'outbox.batch' AND EXISTS (SELECT 1 FROM jsonb_array_elements(t.payload->'events') e WHERE ${messageEntry}))`,
  rows:
    "CASE WHEN t.type = 'outbox.batch' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(t.payload->'events') e " +
    `WHERE ${messageEntry} AND ${wholeEntry} || ${messageRedacted("e->>'type'", wholeEntry)} <> ${wholeEntry}) ` +
    `ELSE t.payload || ${messageRedacted("t.type", "t.payload")} <> t.payload END`,
  // A link or reason the row's events share leaves `shared` (which keeps the tenant's id, so publishing still
  // merges it into each event) for each entry's own payload.
  set:
    "payload = CASE WHEN t.type = 'outbox.batch' THEN jsonb_set(t.payload #- '{shared,url}' #- '{shared,reason}', " +
    "'{events}', (SELECT coalesce(jsonb_agg(CASE " +
    `WHEN ${messageEntry} THEN jsonb_set(e, '{payload}', (e->'payload') || ${sharedText} || ` +
    `${messageRedacted("e->>'type'", wholeEntry)}) ` +
    `WHEN ${sharedText} <> '{}'::jsonb THEN jsonb_set(e, '{payload}', ${sharedText} || (e->'payload')) ` +
    "ELSE e END ORDER BY i), '[]'::jsonb) FROM jsonb_array_elements(t.payload->'events') WITH ORDINALITY AS x(e, i))) " +
    `ELSE t.payload || ${messageRedacted("t.type", "t.payload")} END`,
};

/**
 * What the export holds of the outbox: the copies erasure deletes, takes out of batch rows or redacts (the same
 * selections), a batch row with the person's entries only (its `shared` fields are in each of them).
 */
const ownEntry = `(${personalEntry} OR ${messageEntry})`;
const outboxExported = {
  where:
    `${personalCopy} OR ${messageCopy} OR (t.type = 'outbox.batch' AND ` +
    `EXISTS (SELECT 1 FROM jsonb_array_elements(t.payload->'events') e WHERE ${ownEntry}))`,
  row:
    "CASE WHEN t.type = 'outbox.batch' THEN jsonb_set(to_jsonb(t), '{payload,events}', " +
    "(SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(t.payload->'events') WITH ORDINALITY AS x(e, i) " +
    `WHERE ${ownEntry})) ELSE to_jsonb(t) END`,
};

export const outboxEventsRule: PostgresTableRule = {
  where: outboxWhere,
  shared: outboxShared,
  redact: outboxMessageRedaction,
  export: true,
  exported: outboxExported,
  erase: "delete",
  why:
    "delivery copies of domain events (pruned a week after publishing); behavioural ones may hold personal data, " +
    "consent changes the customer's choices, and message events a clicked link or a provider's words",
};
