import { expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

/** A repeat inside the duplicate window is compared with its original, which must still be on the stream. */
it("refuses a duplicate window not shorter than the time read messages stay on the stream, naming both", () => {
  const day = 24 * 60 * 60;
  expect(loadConfig({ STREAM_KEEP_READ_DAYS: "1", DEDUPE_WINDOW_SECONDS: String(day - 1) }).DEDUPE_WINDOW_SECONDS).toBe(
    day - 1,
  );
  for (const window of [day, 2 * day]) {
    expect(() => loadConfig({ STREAM_KEEP_READ_DAYS: "1", DEDUPE_WINDOW_SECONDS: String(window) })).toThrow(
      new RegExp(`DEDUPE_WINDOW_SECONDS: must be shorter than STREAM_KEEP_READ_DAYS \\(1 day = ${day} seconds\\)`),
    );
  }
  expect(loadConfig({}).DEDUPE_WINDOW_SECONDS).toBeLessThan(loadConfig({}).STREAM_KEEP_READ_DAYS * day);
});
