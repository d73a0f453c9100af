-- Card numbers are read upper case from now on (`CardNumber`, @regulars/contracts): before, a till that posted
-- `card-000417` and one that posted `CARD-000417` made two customers of one card, and a look-up in the other case
-- found nobody. The cards stored before in another case are upper-cased here: the identities sales resolve by, and
-- the customers' card_number the admin sees and searches.
-- A card that different customers of a tenant hold in different cases is left as it is, in both tables: upper-casing
-- would put two customers on one identity key (the migration would fail), and which of them the card is, or whether
-- they are one person, is an admin's decision (a merge), not a migration's. Its upper-case spelling, if any, keeps
-- answering look-ups; the others are found by the admin's search (case-insensitive on cards). Find them with:
--   SELECT tenant_id, upper(value), array_agg(customer_id) FROM customer_identities WHERE kind = 'card'
--   GROUP BY 1, 2 HAVING count(*) > 1;
-- An identity is upper-cased only where it is the card's one spelling among the tenant's identities (one customer
-- holding two spellings after a merge keeps both: the upper-case one answers), so no key can collide.
WITH spellings AS (
  SELECT tenant_id, customer_id, value AS spelling, true AS identity FROM customer_identities WHERE kind = 'card'
  UNION ALL
  SELECT tenant_id, id, card_number, false FROM customers WHERE card_number IS NOT NULL
), cards AS (
  SELECT tenant_id, upper(spelling) AS card,
    count(DISTINCT customer_id) > 1 AND count(DISTINCT spelling) > 1 AS contested,
    count(*) FILTER (WHERE identity) AS identities
  FROM spellings GROUP BY tenant_id, upper(spelling)
), upper_identities AS (
  UPDATE customer_identities i SET value = c.card FROM cards c
  WHERE i.kind = 'card' AND i.tenant_id = c.tenant_id AND upper(i.value) = c.card AND i.value <> c.card
    AND NOT c.contested AND c.identities = 1
)
UPDATE customers u SET card_number = c.card FROM cards c
WHERE u.tenant_id = c.tenant_id AND upper(u.card_number) = c.card AND u.card_number <> c.card AND NOT c.contested;
