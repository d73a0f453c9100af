import { type Analytics, createAnalytics } from "@regulars/analytics";
import { resolveDataDir } from "@regulars/embedded";
import { z } from "zod";

const AnalyticsEnv = z.object({
  CLICKHOUSE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/)
    .default("regulars"),
  REGULARS_DATA_DIR: z.string().optional(),
});

/**
 * The ClickHouse the running system uses: CLICKHOUSE_URL when set, otherwise the embedded chdb store in the
 * local data folder. chdb lets one process at a time open its folder, so with the embedded default the server
 * must be stopped first; the error says so rather than showing chdb's lock message.
 */
export async function openAnalytics(env: NodeJS.ProcessEnv): Promise<Analytics> {
  const config = AnalyticsEnv.parse(env);
  const analytics = await createAnalytics(
    config.CLICKHOUSE_URL
      ? {
          kind: "http",
          url: config.CLICKHOUSE_URL,
          username: config.CLICKHOUSE_USER,
          password: config.CLICKHOUSE_PASSWORD,
          database: config.CLICKHOUSE_DATABASE,
        }
      : {
          kind: "chdb",
          path: `${resolveDataDir({ override: config.REGULARS_DATA_DIR })}/clickhouse`,
          database: config.CLICKHOUSE_DATABASE,
        },
  );
  try {
    await analytics.migrate();
  } catch (e) {
    await analytics.close().catch(() => undefined);
    if (!config.CLICKHOUSE_URL && /lock/i.test(String((e as Error).message)))
      throw new Error("the embedded ClickHouse store is in use: stop the running server (npm start) and try again");
    throw e;
  }
  return analytics;
}
