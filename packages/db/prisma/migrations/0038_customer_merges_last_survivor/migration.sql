-- A customer merged twice (a till's customer into an account known by its phone, that account into an app
-- account) was a chain of merges, and the tier statement follows customer_merges one level only (a recursive walk
-- there halved the ledger's throughput): the first customer's earned points no longer counted for the tier. Every
-- merge now names the last survivor in `into_id`: a merge re-points the merges into its merged customer at its own
-- survivor (@regulars/customers-store, `merge/merge.ts`), so one level finds everyone the person ever was.
--
-- `original_into_id` keeps the customer such a merge moved the rows into when it was made (what `moved` and
-- `merged_at` describe, and what the transfer movements name); null while `into_id` still is that customer.
ALTER TABLE customer_merges ADD COLUMN original_into_id text REFERENCES customers(id);

-- The chains already recorded, flattened in place: each merge points at the last survivor of its chain. A merge
-- never points back into its own chain; the bound only keeps a corrupt row from looping forever.
WITH RECURSIVE chain(merged_id, tenant_id, into_id, depth) AS (
  SELECT merged_id, tenant_id, into_id, 1 FROM customer_merges
  UNION ALL
  SELECT chain.merged_id, chain.tenant_id, m.into_id, chain.depth + 1
  FROM chain JOIN customer_merges m ON m.merged_id = chain.into_id AND m.tenant_id = chain.tenant_id
  WHERE chain.depth < 32
), last_survivor AS (
  SELECT DISTINCT ON (merged_id) merged_id, into_id FROM chain ORDER BY merged_id, depth DESC
)
UPDATE customer_merges m SET original_into_id = m.into_id, into_id = s.into_id
FROM last_survivor s
WHERE s.merged_id = m.merged_id AND s.into_id <> m.into_id;
