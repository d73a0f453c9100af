-- An eventId posted again after JetStream's duplicate window (1 h) reaches the event resolver as a new message. Its
-- body's fingerprint (`eventFingerprint`, as the gateway takes it inside the window) tells a retry, which changes
-- nothing, from another event under a used eventId: an idempotency conflict, which the resolver refuses and counts,
-- as the ledger counts a sale's (`transaction_rejections`). `body_hash` is the fingerprint of the event decided; rows
-- decided before it is kept have NULL and are taken as matching. `conflict_hashes` holds each distinct body refused
-- under the eventId since, so a redelivered conflict counts once; GET /v1/events/{eventId} answers their number.
-- A nullable column and one with a constant default: no rewrite of the table.
ALTER TABLE applied_events
  ADD COLUMN body_hash text,
  ADD COLUMN conflict_hashes text[] NOT NULL DEFAULT '{}';
