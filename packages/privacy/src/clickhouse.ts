import {
  assertIdentifier,
  clickhouseCustomerTables,
  type FactsTarget,
  keyedMutationSettings,
  rekeyCustomerRows,
  withCustomerKeys,
} from "@regulars/analytics";
import { type ClickHouseTableRule, clickhouseTables } from "./clickhouse-tables.ts";

const table = (target: FactsTarget, name: string) => `${assertIdentifier(target.database)}.${assertIdentifier(name)}`;

/** Every classified table's rows of the customers, read with FINAL (each fact once). */
export async function exportClickhouse(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
): Promise<Record<string, unknown[]>> {
  const present = new Set((await clickhouseCustomerTables(target)).map((c) => c.table));
  const out: Record<string, unknown[]> = {};
  for (const name of Object.keys(clickhouseTables).filter((t) => present.has(t))) {
    const result = await target.client.query({
      query: `SELECT * FROM ${table(target, name)} FINAL
        WHERE tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}`,
      query_params: { tenant: tenantId, ids: customerIds },
      format: "JSONEachRow",
    });
    out[name] = await result.json();
  }
  return out;
}

/**
 * ClickHouse's part of an erasure: behavioural tables' rows of the customers deleted, fact tables' rows re-keyed to
 * the pseudonym (rekeyCustomerRows of @regulars/analytics, which a merge uses too), their `scrub` columns (tables.ts)
 * rewritten as they are re-keyed. Safe to run again with the same pseudonym, and later with another one for facts
 * that arrived after the erasure (see `finishErasures`): a late copy of a fact that was already re-keyed is deleted
 * instead of re-keyed, so no fact counts twice. No statement spells a customer's id, which ClickHouse would keep
 * beside the pseudonym (a mutation's text, the query log): each reads the ids from a batch (withCustomerKeys). A
 * batch the server lost during the pass (a restart) fails it, so the request stays pending and is retried.
 */
export async function eraseClickhouse(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
  pseudonym: string,
): Promise<void> {
  const found = await clickhouseCustomerTables(target);
  const missing = Object.keys(clickhouseTables).filter((t) => !found.some((f) => f.table === t));
  // A database without the fact tables is the wrong database (or not migrated): erasing nothing is no success.
  if (missing.length) throw new Error(`ClickHouse ${target.database} lacks ${missing.join(", ")}`);
  const scrubbed = found.flatMap(({ table: name, inSortingKey }) => {
    const rule = clickhouseTables[name];
    if (rule?.erase !== "pseudonymise" || !rule.scrub) return [];
    // customer_id in the sorting key is re-keyed by copying the rows (rekeyCustomerRows), which copies them unscrubbed.
    if (inSortingKey) throw new Error(`ClickHouse table ${name}: scrub needs customer_id outside its sorting key`);
    return [{ name, scrub: rule.scrub }];
  });
  const into = new Map(customerIds.map((id) => [id, pseudonym]));
  await withCustomerKeys(target, into, async (keys) => {
    const params = { tenant: tenantId, pseudonym, ...keys.params };
    // Re-keyed and scrubbed in one mutation, so a crash cannot leave a row under the pseudonym unscrubbed (nothing
    // would find it again: the pseudonym is forgotten once ClickHouse's part is done). rekeyCustomerRows then finds
    // none of the person's rows left in these tables.
    for (const { name, scrub } of scrubbed) {
      const rewritten = await mutateIfAny(target, name, `customer_id IN ${keys.ids}`, params, [
        `customer_id = ${keys.newId}`,
        ...setsOf(scrub),
      ]);
      // None found may be a batch a restart emptied (see withCustomerKeys): the pass fails, the request stays pending.
      if (rewritten === 0) await keys.assertWhole();
    }
    await rekeyCustomerRows(target, tenantId, keys, (name) => {
      const rule = clickhouseTables[name];
      if (!rule) throw new Error(`ClickHouse table ${name} holds customer ids but is not classified in tables.ts`);
      return rule.erase === "pseudonymise" ? "rekey" : "delete";
    });
    // A row that arrived between the mutation above and rekeyCustomerRows' count was re-keyed there, unscrubbed:
    // found under the pseudonym (the erasure request keeps it until this call succeeds, so a retry finds them too).
    for (const { name, scrub } of scrubbed)
      await mutateIfAny(
        target,
        name,
        `customer_id = {pseudonym:String} AND ${unscrubbedOf(scrub)}`,
        params,
        setsOf(scrub),
      );
  });
}

type Scrub = NonNullable<ClickHouseTableRule["scrub"]>;

const setsOf = (scrub: Scrub) =>
  Object.entries(scrub.set).map(([column, to]) => `\`${assertIdentifier(column)}\` = ${to}`);

/** Rows some column of `scrub` would still change: scrubbed ones are not counted or rewritten again. */
const unscrubbedOf = (scrub: Scrub) =>
  `(${Object.entries(scrub.set)
    .map(([column, to]) => `\`${assertIdentifier(column)}\` <> ${to}`)
    .join(" OR ")})`;

/**
 * An update of the tenant's rows `where` names, counted first: a rerun or a sweep with nothing to do is cheap. How
 * many rows (each stored copy of a fact) it rewrote.
 */
async function mutateIfAny(
  target: FactsTarget,
  name: string,
  where: string,
  params: Record<string, unknown>,
  sets: string[],
): Promise<number> {
  const rows = `tenant_id = {tenant:String} AND ${where}`;
  const result = await target.client.query({
    query: `SELECT count() AS n FROM ${table(target, name)} WHERE ${rows}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const n = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
  if (n === 0) return 0;
  await target.client.command({
    query: `ALTER TABLE ${table(target, name)} UPDATE ${sets.join(", ")} WHERE ${rows}
      SETTINGS ${keyedMutationSettings}`,
    query_params: params,
  });
  return n;
}

/**
 * The links of the tenant's messages clicked before `before`, cut to their site as erasure cuts a person's (`scrub`
 * of message_events in tables.ts): the link as its template rendered it may hold the customer's name, e-mail or
 * phone, kept no longer than the message's address and text (`messagesDays`, cleared in Postgres by
 * `clearOldMessages`). Clicks still count by site. How many rows changed; a second pass finds none.
 */
export async function scrubLinksBefore(target: FactsTarget, tenantId: string, before: Date): Promise<number> {
  const scrub = clickhouseTables.message_events?.scrub;
  if (!scrub) throw new Error("tables.ts: message_events has no scrub for its links");
  const params = { tenant: tenantId, before: before.getTime() / 1000 };
  return mutateIfAny(
    target,
    "message_events",
    `occurred_at < toDateTime64({before:Float64}, 3, 'UTC') AND ${unscrubbedOf(scrub)}`,
    params,
    setsOf(scrub),
  );
}

/** Behavioural events of the tenant that occurred before `before`; counted first, so a pass with none is cheap. */
export async function deleteEventsBefore(target: FactsTarget, tenantId: string, before: Date): Promise<number> {
  const params = { tenant: tenantId, before: before.getTime() / 1000 };
  const where = "tenant_id = {tenant:String} AND occurred_at < toDateTime64({before:Float64}, 3, 'UTC')";
  const result = await target.client.query({
    query: `SELECT count() AS n FROM ${table(target, "events")} FINAL WHERE ${where}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const n = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
  if (n > 0)
    await target.client.command({
      query: `ALTER TABLE ${table(target, "events")} DELETE WHERE ${where} SETTINGS mutations_sync = 2`,
      query_params: params,
    });
  return n;
}
