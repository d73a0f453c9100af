import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveDataDir } from "../src/index.ts";
import { makeTempDir } from "./temp-dir.ts";

describe("resolveDataDir", () => {
  const temp = makeTempDir("regulars-data-dir-");
  afterAll(() => temp.remove());

  it("uses and creates the override when given", () => {
    const override = path.join(temp.path, "custom", "data");
    expect(resolveDataDir({ override })).toBe(override);
    expect(existsSync(override)).toBe(true);
  });

  it("puts .data in the nearest folder above startDir that has pnpm-workspace.yaml", () => {
    const repo = path.join(temp.path, "repo");
    const nested = path.join(repo, "apps", "server", "src");
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(repo, "pnpm-workspace.yaml"), "packages: []\n");
    expect(resolveDataDir({ startDir: nested })).toBe(path.join(repo, ".data"));
    expect(existsSync(path.join(repo, ".data"))).toBe(true);
  });

  it("defaults to the .data folder of the repository holding this package", () => {
    const repoRoot = path.resolve(import.meta.dirname, "../../..");
    expect(resolveDataDir()).toBe(path.join(repoRoot, ".data"));
  });

  it("says to set REGULARS_DATA_DIR when there is no workspace above startDir", () => {
    const outside = path.join(temp.path, "elsewhere");
    mkdirSync(outside);
    expect(() => resolveDataDir({ startDir: outside })).toThrow(/REGULARS_DATA_DIR/);
  });
});
