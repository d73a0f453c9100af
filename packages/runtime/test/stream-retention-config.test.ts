import { busDefaults } from "@regulars/bus";
import { expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

it("keeps read stream messages a week unless told otherwise, never less than a day", () => {
  expect(loadConfig({}).STREAM_KEEP_READ_DAYS * 24 * 60 * 60 * 1000).toBe(busDefaults.keepReadMs);
  expect(loadConfig({ STREAM_KEEP_READ_DAYS: "35" }).STREAM_KEEP_READ_DAYS).toBe(35);
  expect(() => loadConfig({ STREAM_KEEP_READ_DAYS: "0" })).toThrow(/STREAM_KEEP_READ_DAYS: .*1/);
});
