-- Staff type names without their accents: `Lukasiewicz` must find Łukasiewicz, `muller` Müller, `Jose` José, and
-- the other way round. The admin's search compares names folded by `unaccented` (unaccent's rules, which also fold
-- the letters Unicode does not decompose: Ł to L, Ø to O, ß to ss) on both sides. unaccent ships with Postgres
-- (contrib), the embedded one included, and is a trusted extension: the database's owner may create it.
--
-- unaccent() is only STABLE (its dictionary could be changed), so no index may use it; this wrapper names the
-- dictionary itself and is declared IMMUTABLE. Its body is SQL-standard, bound when it is created: the dictionary
-- and function are found by this migration's search_path, not by the caller's (from Postgres 17, CREATE INDEX,
-- VACUUM, ANALYZE and REINDEX evaluate index expressions with only pg_catalog on the path: the embedded Postgres is
-- 18). Should a Postgres upgrade change unaccent.rules, REINDEX customers_name_unaccented_trgm_idx.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION unaccented(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN unaccent('unaccent'::regdictionary, $1);
