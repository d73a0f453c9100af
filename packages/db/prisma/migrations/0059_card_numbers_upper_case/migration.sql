-- Card numbers are one identity in any case from now on: a card is looked up by its upper-case spelling (`identityOf`,
-- @regulars/contracts; the posted message keeps the card as the till sent it, for its fingerprint). Before, a till
-- that posted `card-000417` and one that posted `CARD-000417` made two customers of one card, and a look-up in the
-- other case found nobody. So every card stored before in another case gets its upper-case spelling here: the
-- identities sales resolve by, and the customers' card_number the admin sees and searches.
-- A card one customer holds (in one spelling or several, e.g. `card-000420` and `Card-000420` after a merge) becomes
-- that customer's upper-case identity, created as early as their first spelling; the other spellings go, so the
-- customer holds the card once, as a card stored from now on is held. Their card_number is upper-cased alike.
-- A card that different customers of a tenant hold in different cases (`card-9` and `Card-9`; or one's card_number and
-- another's identity) is left as it is, in both tables: upper-casing would put two customers on one identity key (the
-- migration would fail), and which of them the card is, or whether they are one person, is an admin's decision (a
-- merge), not a migration's. Until then a look-up still finds one of them, the same every time, never a new customer
-- (`identityOwner`, @regulars/ledger-store): the holder of the upper-case spelling if there is one, else the oldest
-- customer holding another spelling (customers.created_at, then id). The index below holds only those other
-- spellings, for that second look-up. The admin's search finds every spelling (case-insensitive on cards). List them:
--   SELECT tenant_id, upper(value), array_agg(customer_id) FROM customer_identities WHERE kind = 'card'
--   GROUP BY 1, 2 HAVING count(DISTINCT value) > 1 AND count(DISTINCT customer_id) > 1;
CREATE TEMP TABLE card_spellings ON COMMIT DROP AS
WITH spellings AS (
  SELECT tenant_id, customer_id, value AS spelling FROM customer_identities WHERE kind = 'card'
  UNION ALL
  SELECT tenant_id, id, card_number FROM customers WHERE card_number IS NOT NULL
)
SELECT tenant_id, upper(spelling) AS card, count(DISTINCT customer_id) > 1 AND count(DISTINCT spelling) > 1 AS contested
FROM spellings GROUP BY tenant_id, upper(spelling);

-- Not contested, so one customer at most holds identities of the card: two customers' identities differ in spelling.
INSERT INTO customer_identities (tenant_id, kind, value, customer_id, created_at)
SELECT i.tenant_id, 'card', c.card, i.customer_id, min(i.created_at)
FROM customer_identities i JOIN card_spellings c ON c.tenant_id = i.tenant_id AND c.card = upper(i.value)
WHERE i.kind = 'card' AND i.value <> c.card AND NOT c.contested
GROUP BY i.tenant_id, c.card, i.customer_id
ON CONFLICT DO NOTHING;

DELETE FROM customer_identities i USING card_spellings c
WHERE i.kind = 'card' AND c.tenant_id = i.tenant_id AND c.card = upper(i.value) AND i.value <> c.card
  AND NOT c.contested;

UPDATE customers u SET card_number = c.card FROM card_spellings c
WHERE u.tenant_id = c.tenant_id AND upper(u.card_number) = c.card AND u.card_number <> c.card AND NOT c.contested;

CREATE INDEX IF NOT EXISTS customer_identities_card_other_case_idx ON customer_identities (tenant_id, upper(value))
  WHERE kind = 'card' AND value <> upper(value);
