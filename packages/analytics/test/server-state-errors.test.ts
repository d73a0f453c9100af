import { describe, expect, it } from "vitest";
import { isClickHouseServerStateError } from "../src/index.ts";

const memory = (message: string) => Object.assign(new Error(message), { type: "MEMORY_LIMIT_EXCEEDED" });

describe("a ClickHouse memory refusal is the server's state only when the server's total ran out", () => {
  it("reads the total in either wording, old servers' and new ones'", () => {
    expect(isClickHouseServerStateError(memory("Memory limit (total) exceeded: would use 9.31 GiB"))).toBe(true);
    expect(isClickHouseServerStateError(memory("(total) memory limit exceeded: would use 9.31 GiB"))).toBe(true);
    expect(isClickHouseServerStateError(memory("Total memory limit exceeded: would use 9.31 GiB"))).toBe(true);
  });

  it("leaves one query's or one user's limit to the message that asked too much", () => {
    expect(isClickHouseServerStateError(memory("Query memory limit exceeded: would use 2.00 GiB"))).toBe(false);
    expect(isClickHouseServerStateError(memory("User memory limit exceeded: would use 2.00 GiB"))).toBe(false);
  });
});
