import { restartCustomerKeys, restartingBefore, testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CustomerKeysLostError } from "../src/customer-keys.ts";
import { isTransientClickHouseError, mergeCustomerRows, withCustomerKeys } from "../src/index.ts";
import { eventFact, transactionFact, uniqueId } from "./fixtures.ts";

// A batch of customer ids (and the ids their rows get) lives in the helper table only while its pass runs.

let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const helper = () => `${analytics.database}.customer_rekeys`;

async function batchRows(): Promise<{ from_id: string; to_id: string }[]> {
  const result = await analytics.client.query({
    query: `SELECT from_id, to_id FROM ${helper()} ORDER BY from_id`,
    format: "JSONEachRow",
  });
  return result.json();
}

async function selected(sql: string, params: Record<string, unknown>): Promise<Record<string, string>[]> {
  const result = await analytics.client.query({ query: sql, query_params: params, format: "JSONEachRow" });
  return result.json();
}

it("selects the batch's customers and maps each to its id, and keeps no row once the pass ends", async () => {
  const into = new Map([
    ["cus_b", "cus_survivor_b"],
    ["cus_a", "anon_a"],
  ]);
  const seen = await withCustomerKeys(analytics, into, async (keys) => {
    expect(await batchRows()).toHaveLength(2);
    return selected(
      `SELECT customer_id, ${keys.newId} AS to_id FROM (SELECT arrayJoin(['cus_a', 'cus_b', 'cus_c']) AS customer_id)
        WHERE customer_id IN ${keys.ids} ORDER BY customer_id`,
      keys.params,
    );
  });
  expect(seen).toEqual([
    { customer_id: "cus_a", to_id: "anon_a" },
    { customer_id: "cus_b", to_id: "cus_survivor_b" },
  ]);
  expect(await batchRows()).toEqual([]);
});

it("deletes the batch when the pass fails, reporting the pass's own failure", async () => {
  const failing = withCustomerKeys(analytics, new Map([["cus_x", "anon_x"]]), async () => {
    throw new Error("ClickHouse went away");
  });
  await expect(failing).rejects.toThrow("ClickHouse went away");
  expect(await batchRows()).toEqual([]);
});

it("deletes a batch a dead process left behind a day ago, not one that is in use", async () => {
  await withCustomerKeys(analytics, new Map(), async () => undefined); // the helper table exists
  await analytics.client.command({
    query: `INSERT INTO ${helper()} (batch, from_id, to_id, created_at) VALUES
      ('dead', 'cus_dead', 'anon_dead', now() - INTERVAL 2 DAY), ('running', 'cus_running', 'anon_running', now())`,
  });
  await withCustomerKeys(analytics, new Map([["cus_y", "anon_y"]]), async () => undefined);
  expect(await batchRows()).toEqual([{ from_id: "cus_running", to_id: "anon_running" }]);
});

/** How many rows of the tenant's `table` each customer id holds (every stored row, no FINAL). */
async function holders(table: string, tenantId: string): Promise<Record<string, number>> {
  const rows = await selected(
    `SELECT customer_id, count() AS n FROM ${analytics.database}.${table} WHERE tenant_id = {t:String}
      GROUP BY customer_id ORDER BY customer_id`,
    { t: tenantId },
  );
  return Object.fromEntries(rows.map((r) => [r.customer_id, Number(r.n)]));
}

it("fails a pass whose batch the server lost while it ran, though each of its statements succeeded", async () => {
  const pass = withCustomerKeys(analytics, new Map([["cus_z", "anon_z"]]), async (keys) => {
    await restartCustomerKeys(analytics);
    // Read after the restart, the batch selects no one: a statement changes nothing, and says so by succeeding.
    return selected(`SELECT count() AS n FROM ${helper()} WHERE from_id IN ${keys.ids}`, keys.params);
  });
  await expect(pass).rejects.toBeInstanceOf(CustomerKeysLostError);
  // Retried like any ClickHouse failure that may go away by itself: the merge's message is delivered again.
  await expect(pass).rejects.toSatisfy(isTransientClickHouseError);
});

it("fails a merge whose batch a restart emptied before it reached the transactions; a re-run moves them", async () => {
  const tenantId = uniqueId("tn");
  const [till, app] = [uniqueId("cus_till"), uniqueId("cus_app")];
  await analytics.insertTransactions([transactionFact({ tenantId, customerId: till })]);
  await analytics.insertEvents([eventFact({ tenantId, customerId: till })]);
  const merge = [{ tenantId, mergedId: till, intoId: app }];

  // Tables go in name order: the events have moved, the transactions' count reads an empty batch.
  const restarting = restartingBefore(analytics, /\.transactions\b/);
  await expect(mergeCustomerRows(restarting, merge)).rejects.toBeInstanceOf(CustomerKeysLostError);
  expect(await holders("events", tenantId)).toEqual({ [app]: 1 });
  expect(await holders("transactions", tenantId)).toEqual({ [till]: 1 });

  await mergeCustomerRows(analytics, merge);
  expect(await holders("events", tenantId)).toEqual({ [app]: 1 });
  expect(await holders("transactions", tenantId)).toEqual({ [app]: 1 });
  expect(await holders("transaction_lines", tenantId)).toEqual({ [app]: 2 });
});
