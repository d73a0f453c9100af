import type { FactsTarget } from "@regulars/analytics";

/**
 * What a ClickHouse server restart does to the customer-keys helper table (a Memory table, `withCustomerKeys`): its
 * rows are gone, the table stays.
 */
export const restartCustomerKeys = (analytics: FactsTarget) =>
  analytics.client.command({ query: `TRUNCATE TABLE ${analytics.database}.customer_rekeys` });

/** The analytics target, restarting the server that way once, just before the first statement that `names` matches. */
export function restartingBefore(analytics: FactsTarget, names: RegExp): FactsTarget {
  let restarted = false;
  const client = new Proxy(analytics.client, {
    get(real, prop) {
      const value = Reflect.get(real, prop, real);
      if (typeof value !== "function") return value;
      if (prop !== "query" && prop !== "command") return value.bind(real);
      return async (args: { query: string }) => {
        if (!restarted && names.test(args.query)) {
          restarted = true;
          await restartCustomerKeys(analytics);
        }
        return value.call(real, args);
      };
    },
  });
  return { client, database: analytics.database };
}
