-- What became of every behavioural event the gateway accepted (202), for the integrator to read at
-- GET /v1/events/{eventId}: `processed` (with the customer it was attributed to and the action points it paid) or
-- `rejected` (with a reason code and message, e.g. a customer that is not known). Until now the resolver kept a row
-- only for the events an action rule paid for (so a redelivery never pays twice); it now keeps one for every event it
-- decides, and a redelivery still finds its row. Columns with constant defaults: no rewrite of the table.
ALTER TABLE applied_events
  ADD COLUMN status text NOT NULL DEFAULT 'processed',
  ADD COLUMN customer_id text,
  ADD COLUMN points bigint NOT NULL DEFAULT 0,
  ADD COLUMN reason_code text,
  ADD COLUMN reason_message text;
