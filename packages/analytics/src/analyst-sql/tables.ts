/**
 * What an analyst may read: these names, each bound to one tenant's rows of the table of the same name.
 * Columns are listed rather than `*` so a column added by a later migration is not shown to analysts
 * until someone decides it should be; `tenant_id` is left out because the tenant is implicit, and
 * `ingested_at` because it describes our pipeline, not the business.
 */
export const analystTables = {
  transactions: [
    "id",
    "external_id",
    "type",
    "refund_of",
    "occurred_at",
    "location_id",
    "channel",
    "customer_id",
    "currency",
    "total",
    "discount_total",
    "points",
    "line_count",
    "item_count",
    "tag_quantities",
  ],
  transaction_lines: [
    "transaction_id",
    "line_no",
    "type",
    "occurred_at",
    "location_id",
    "customer_id",
    "sku",
    "name",
    "category",
    "tags",
    "quantity",
    "unit_price",
    "discount",
    "amount",
  ],
  events: ["id", "type", "occurred_at", "customer_id", "location_id", "channel", "properties"],
} as const;

export type AnalystTableName = keyof typeof analystTables;

export const analystTableNames = Object.keys(analystTables) as AnalystTableName[];

export const isAnalystTable = (name: string): name is AnalystTableName => Object.hasOwn(analystTables, name);

/** The query parameter that carries the tenant into the bindings; analysts may not use parameters at all. */
export const tenantParam = "analyst_tenant";

/** Names spliced into SQL: the validator admits only these as table names. */
export const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Tenant ids are ours (`ten_...`), but they are spliced into a settings literal, so they are checked anyway. */
const tenantIdPattern = /^[A-Za-z0-9_-]{1,100}$/;

export function assertTenantId(tenantId: string): string {
  if (!tenantIdPattern.test(tenantId)) throw new Error(`Invalid tenant id ${JSON.stringify(tenantId)}`);
  return tenantId;
}

const tableList = analystTableNames.join(", ");

/** What a binding of an unknown name says when a query reads it; the error mapping looks for it. */
export const unknownTableMarker = "unknown table ";

/**
 * The WITH clause the analyst's query runs under. Every plain table name the query mentions is bound
 * here, so none can fall through to a real table of the current database: an allowed name to its
 * tenant's rows (FINAL, as every read of these tables), any other name to a relation whose only column
 * cannot be resolved, so ClickHouse's analyzer stops the query before anything runs, with our message
 * as the missing identifier. An analyst's own CTE of the same name is declared in an inner scope and
 * wins where it is visible; where it is not, the name meets our binding instead of a table.
 */
export function bindingsFor(database: string, mentioned: Iterable<string>): string {
  const bindings = analystTableNames.map(
    (name) =>
      `${name} AS (SELECT ${analystTables[name].join(", ")} FROM ${database}.${name} FINAL ` +
      `WHERE tenant_id = {${tenantParam}:String})`,
  );
  for (const name of new Set(mentioned)) {
    if (isAnalystTable(name)) continue;
    if (!plainName.test(name)) throw new Error(`Unchecked table name ${JSON.stringify(name)}`);
    bindings.push(`\`${name}\` AS (SELECT \`${unknownTableMarker}${name}: the tables are ${tableList}\` AS unknown)`);
  }
  return `WITH\n${bindings.map((b) => `    ${b}`).join(",\n")}`;
}

/**
 * The same tenant filter again, applied by ClickHouse to every read of the real tables wherever it
 * happens in the query: a second fence that does not depend on the bindings above being the only way in.
 */
export function tenantFilterSetting(database: string, tenantId: string): string {
  const tenant = assertTenantId(tenantId);
  const filters = analystTableNames.map((name) => `'${database}.${name}': 'tenant_id = \\'${tenant}\\''`);
  return `additional_table_filters = {${filters.join(", ")}}`;
}
