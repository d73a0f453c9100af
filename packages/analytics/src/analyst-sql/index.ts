// Analyst SQL: read-only SELECTs over one tenant's rows of the allowed tables. docs/analyst-sql.md
// explains the rules, the limits and which ClickHouse users production needs.
export { type AnalystSqlLimits, defaultAnalystSqlLimits } from "./limits.ts";
export { AnalystSqlRefused, type AnalystSqlRule } from "./refusal.ts";
export {
  type AnalystSqlColumn,
  type AnalystSqlResult,
  type AnalystSqlTarget,
  analystStatement,
  runAnalystSql,
} from "./run.ts";
export { type AnalystTableName, analystTableNames, analystTables } from "./tables.ts";
export { type ValidatedAnalystSql, validateAnalystSql } from "./validate.ts";
