import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { withCustomerKeys } from "../src/index.ts";

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
