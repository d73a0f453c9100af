-- A parked refund's body fingerprint as posted (`transactionFingerprint` of @regulars/contracts), which tells a later
-- post under its externalId a retry or a conflict. Taken from the stored message it was wrong once erasure had
-- redacted the message's customer: a faithful retry then read as a conflict, and was dead-lettered with the phone the
-- redaction had taken out. The ledger sets it when it parks a refund. Rows parked before stay null: their message is
-- still the one posted, so the ledger takes the fingerprint from it, until erasure redacts it, which first fills the
-- column from the message it is about to rewrite (`parked_refund_fingerprint`). Nothing is backfilled here.
ALTER TABLE parked_refunds ADD COLUMN body_hash text;

-- `sortedJson` of @regulars/contracts: keys in code point order (a key needs no surrogate pair: the contract's are
-- ASCII), no spaces; a scalar as jsonb writes it, which is JSON.stringify's text for what the ledger stores (strings,
-- integers, booleans, null).
CREATE FUNCTION parked_refund_sorted_json(j jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN CASE jsonb_typeof(j)
    WHEN 'object' THEN '{' || coalesce((
      SELECT string_agg(to_jsonb(k)::text || ':' || parked_refund_sorted_json(v), ',' ORDER BY k COLLATE "C")
      FROM jsonb_each(j) AS e(k, v)), '') || '}'
    WHEN 'array' THEN '[' || coalesce((
      SELECT string_agg(parked_refund_sorted_json(v), ',' ORDER BY n)
      FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, n)), '') || ']'
    ELSE j::text
  END;
END $$;

-- `transactionFingerprint` of a stored message's transaction: `occurredAt` as the instant in milliseconds (digits past
-- them cut, as a JavaScript Date does, not rounded), a null customer, refundOf or holdId as omitted, then SHA-256 of
-- the sorted JSON in unpadded base64url. Null for a message whose `occurredAt` does not read: the ledger takes no
-- fingerprint of a message that no longer reads as the contract either, and an erasure must not fail on one.
-- STABLE, not IMMUTABLE: reading a timestamptz is (the offset is always given, so the time zone setting changes nothing).
CREATE FUNCTION parked_refund_fingerprint(tx jsonb) RETURNS text LANGUAGE plpgsql STABLE STRICT AS $$
BEGIN
  RETURN rtrim(translate(encode(sha256(convert_to(parked_refund_sorted_json(
    (tx - 'customer' - 'refundOf' - 'holdId') ||
    (SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(jsonb_build_object(
      'customer', tx->'customer', 'refundOf', tx->'refundOf', 'holdId', tx->'holdId')) AS e(k, v) WHERE v <> 'null') ||
    jsonb_build_object('occurredAt', to_char(
      regexp_replace(tx->>'occurredAt', '(\.\d{3})\d+', '\1')::timestamptz AT TIME ZONE 'UTC',
      'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  ), 'UTF8')), 'base64'), '+/', '-_'), '=');
EXCEPTION WHEN data_exception THEN
  RETURN NULL;
END $$;
