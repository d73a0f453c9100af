-- TEMPLATE, not applied by anything in this repository: a read-only ClickHouse login that sees one
-- tenant's rows. Copy it, then replace before running:
--   analyst_burger_bros   the login name (one per analyst or per tenant)
--   CHANGE_ME             its password
--   ten_REPLACE_ME        the tenant id (`pnpm regulars tenant list`)
--   regulars.             the database, if CLICKHOUSE_DATABASE is not `regulars`
--   HOST ANY              narrow it, e.g. HOST IP '10.20.0.0/16'
-- Run it as a user with access management (in infra/compose.yaml: `regulars`), for example
--   clickhouse-client --user regulars --password regulars --multiquery < my-analyst.sql
-- (the HTTP interface takes one statement per request).
--
-- Row policies hold only for users that cannot write: keep this user on SELECT grants with readonly set.
-- On ClickHouse before 24.1, or where access_control_improvements.users_without_row_policies_can_read_rows
-- is false, the first row policy on a table hides every row of it from users WITHOUT a policy, including
-- the Regulars writer. There, also run the commented `USING 1` policies at the end for the writer.

-- For analysts who connect with a SQL tool; the Regulars API does not use this login (docs/analyst-sql.md).
-- readonly = 2: queries only, no DDL or inserts; unlike readonly = 1 the client may still change other
-- settings (output formats, timeouts), which most SQL tools need. So what must stay off is CONST, and each
-- limit is a ceiling the client may lower but not raise; MIN 1 refuses 0 as well, which means "no limit".
-- The limits are those of the API's analyst SQL (docs/analyst-sql.md, "The limits").
CREATE SETTINGS PROFILE IF NOT EXISTS regulars_analyst_readonly
SETTINGS
    readonly = 2,
    allow_ddl = 0 CONST,
    allow_introspection_functions = 0 CONST,
    allow_experimental_ai_functions = 0 CONST,  -- AI functions send their arguments to an external provider
    max_execution_time = 10 MIN 1 MAX 10,
    max_rows_to_read = 200000000 MIN 1 MAX 200000000,
    max_bytes_to_read = 21474836480 MIN 1 MAX 21474836480,
    max_result_rows = 10000 MIN 1 MAX 10000,
    max_result_bytes = 16777216 MIN 1 MAX 16777216,
    max_memory_usage = 1073741824 MIN 1 MAX 1073741824;

CREATE USER IF NOT EXISTS analyst_burger_bros
    IDENTIFIED WITH sha256_password BY 'CHANGE_ME'
    HOST ANY
    DEFAULT DATABASE regulars
    SETTINGS PROFILE 'regulars_analyst_readonly';

-- Table by table, so a tenant-scoped table added later is invisible until it gets a policy and a grant.
-- No system.* grants: system.query_log holds other users' queries and their parameter values.
GRANT SELECT ON regulars.transactions TO analyst_burger_bros;
GRANT SELECT ON regulars.transaction_lines TO analyst_burger_bros;
GRANT SELECT ON regulars.events TO analyst_burger_bros;

-- Permissive policies combine with OR: give the same user a second set to let it see a second tenant.
CREATE ROW POLICY IF NOT EXISTS analyst_burger_bros_transactions ON regulars.transactions
    FOR SELECT USING tenant_id = 'ten_REPLACE_ME' TO analyst_burger_bros;
CREATE ROW POLICY IF NOT EXISTS analyst_burger_bros_transaction_lines ON regulars.transaction_lines
    FOR SELECT USING tenant_id = 'ten_REPLACE_ME' TO analyst_burger_bros;
CREATE ROW POLICY IF NOT EXISTS analyst_burger_bros_events ON regulars.events
    FOR SELECT USING tenant_id = 'ten_REPLACE_ME' TO analyst_burger_bros;

-- How much the login may spend per hour, however its queries are spread.
CREATE QUOTA IF NOT EXISTS analyst_burger_bros KEYED BY user_name
    FOR INTERVAL 1 hour MAX queries = 1000, read_rows = 5000000000, execution_time = 1800
    TO analyst_burger_bros;

-- Only for servers where users without a policy see no rows (see the header); `regulars` is the writer:
-- CREATE ROW POLICY IF NOT EXISTS writer_all_transactions ON regulars.transactions FOR SELECT USING 1 TO regulars;
-- CREATE ROW POLICY IF NOT EXISTS writer_all_transaction_lines ON regulars.transaction_lines FOR SELECT USING 1 TO regulars;
-- CREATE ROW POLICY IF NOT EXISTS writer_all_events ON regulars.events FOR SELECT USING 1 TO regulars;

-- Check, logged in as the analyst: only the one tenant appears.
--   SELECT tenant_id, count() FROM regulars.transactions FINAL GROUP BY tenant_id;
