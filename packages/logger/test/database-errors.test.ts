import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { createLogger } from "../src/index.ts";

declare module "vitest" {
  interface ProvidedContext {
    databaseUrl: string;
  }
}

// The ledger's batches run on a pg pool of their own, whose errors keep all Postgres said, and it logs them whole.

const capture = () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines: () => lines.map((l) => JSON.parse(l) as { err: Record<string, unknown> }) };
};

/** What pg throws when a customer's phone is recorded twice. */
async function uniqueViolation(phone: string): Promise<Error> {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  try {
    await client.query(
      "CREATE TEMP TABLE known_identifiers (tenant_id text, kind text, value text, PRIMARY KEY (tenant_id, kind, value))",
    );
    const insert = "INSERT INTO known_identifiers VALUES ($1, $2, $3)";
    await client.query(insert, ["t1", "phone", phone]);
    return await client.query(insert, ["t1", "phone", phone]).then(
      () => {
        throw new Error("the second insert went through");
      },
      (e: Error) => e,
    );
  } finally {
    await client.end();
  }
}

describe("logged database errors", () => {
  it("say what failed and not the row: a unique violation's key values stay out", async () => {
    const phone = "+48600100200";
    const violation = await uniqueViolation(phone);
    expect(violation).toMatchObject({ code: "23505", detail: expect.stringContaining(phone) });

    const { log, lines } = capture();
    log.warn({ err: violation, size: 3 }, "batch failed; applying its messages one by one");
    log.error(violation, "ledger batch failed");
    // As another error carries it: a batch's failure naming the statement that failed.
    log.error({ err: Object.assign(new Error("batch failed"), { failed: violation }) }, "ledger batch failed");
    const logged = lines();
    expect(JSON.stringify(logged)).not.toContain("600100200");
    const described = {
      code: "23505",
      constraint: "known_identifiers_pkey",
      table: "known_identifiers",
      message: 'duplicate key value violates unique constraint "known_identifiers_pkey"',
    };
    expect(logged[0]?.err).toMatchObject(described);
    expect(logged[1]?.err).toMatchObject(described);
    expect(logged[2]?.err.failed).toMatchObject(described);
  });

  it("drop the row Prisma's driver adapter copied from what Postgres said", () => {
    const { log, lines } = capture();
    // The shape of a check violation through @prisma/adapter-pg, which copies an unmapped error's detail and hint.
    const cause = {
      kind: "postgres",
      code: "23514",
      detail: "Failing row contains (t1, phone, +48600100200).",
      hint: "",
    };
    const driverAdapterError = Object.assign(new Error("DriverAdapterError"), { cause });
    log.error(
      { err: Object.assign(new Error("Raw query failed"), { code: "P2010", meta: { driverAdapterError } }) },
      "x",
    );
    const [line] = lines();
    expect(JSON.stringify(line)).not.toContain("600100200");
    expect(line?.err).toMatchObject({ code: "P2010", meta: { driverAdapterError: { cause: { code: "23514" } } } });
  });

  it("keep a hint that names objects and drop one that quotes values", () => {
    const { log, lines } = capture();
    const named = 'Perhaps you meant to reference the column "customers.phone".';
    log.error({ err: Object.assign(new Error("column does not exist"), { code: "42703", hint: named }) }, "query");
    const raised = Object.assign(new Error("refused"), { code: "P0001", hint: "ask jan.kowalski@example.com" });
    log.error({ err: raised }, "refused");
    const [first, second] = lines();
    expect(first?.err.hint).toBe(named);
    expect(second?.err.hint).toBe("[redacted]");
  });

  it("leave errors without database fields as pino writes them", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error("outer", { cause: new Error("inner") }), { status: 503, at: new Date(0) });
    log.error({ err }, "failed");
    expect(lines()[0]?.err).toMatchObject({
      type: "Error",
      message: "outer: inner",
      status: 503,
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});
