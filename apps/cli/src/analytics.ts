import { type Analytics, createAnalytics } from "@regulars/analytics";
import { resolveDataDir } from "@regulars/embedded";
import { analyticsConfigOf, ClickHouseSettings } from "@regulars/runtime";
import { z } from "zod";

const AnalyticsEnv = ClickHouseSettings.extend({ REGULARS_DATA_DIR: z.string().optional() });

/**
 * The ClickHouse the running system uses: CLICKHOUSE_URL when set, otherwise the embedded chdb store in the
 * local data folder. chdb lets one process at a time open its folder, so with the embedded default the server
 * must be stopped first; the error says so rather than showing chdb's lock message.
 */
export async function openAnalytics(env: NodeJS.ProcessEnv): Promise<Analytics> {
  const config = AnalyticsEnv.parse(env);
  const analytics = await createAnalytics(
    analyticsConfigOf(config, resolveDataDir({ override: config.REGULARS_DATA_DIR })),
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
