import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAnalytics } from "../src/index.ts";

const parent = mkdtempSync(join(tmpdir(), "regulars-chdb-folder-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("the embedded ClickHouse data folder", () => {
  it("is the owner's alone, even when it existed open to others before", async () => {
    const path = join(parent, "clickhouse");
    mkdirSync(path, { mode: 0o755 });
    const analytics = await createAnalytics({ kind: "chdb", path, database: "private_folder" });
    try {
      expect(statSync(path).mode & 0o777).toBe(0o700);
    } finally {
      await analytics.close();
    }
  });
});
