import { expect, it } from "vitest";
import { testDb, testPoolReader, uniqueNamespace } from "../src/index.ts";

it("hands out a pool reader whose connections are already open", async () => {
  const applicationName = `${uniqueNamespace()}-test-reader`;
  const reader = await testPoolReader({ poolSize: 3, applicationName });
  const db = testDb();
  try {
    const rows = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${applicationName}`;
    expect(Number(rows[0]!.n)).toBe(3);
  } finally {
    await reader.close();
    await db.$disconnect();
  }
});
