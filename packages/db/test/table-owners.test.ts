import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * docs/architecture.md says which package owns (writes) each Postgres table. This holds the code to it: every
 * table of the migrated database has a row, every table a row names exists, and every package that writes a table
 * in its `src/` (SQL INSERT, UPDATE or DELETE naming it, or a Prisma write on its model) is named in that table's
 * row. A newcomer adding a table or writing one from a new place updates the document, or this fails. A write that
 * splices its table name in (`UPDATE ${table}`) would slip past that, so one is refused outside an allow-list.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Write across owners by design, as the document says: the erasure catalogue and the demo seed. */
const crossOwnerWriters = new Set(["packages/privacy", "packages/demo-data"]);
/**
 * Files that may splice a table name into a write (`UPDATE ${table}`), which the owner check cannot read, and why
 * that is safe. Anywhere else, spell the table in the SQL (a statement per table) so its owner is checked.
 */
const splicedWritesAllowed = new Map([["packages/analytics/src/customer-rows.ts", "ClickHouse tables, not Postgres"]]);

let sql: pg.Client;
let tables: Set<string>;
beforeAll(async () => {
  sql = new pg.Client({ connectionString: testDatabaseUrl() });
  await sql.connect();
  const rows = await sql.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  tables = new Set(rows.rows.map((r) => r.name));
});
afterAll(async () => {
  await sql?.end();
});

/** Each table named in the ownership section, with the packages and apps its rows name as owners. */
function documentedOwners(): Map<string, Set<string>> {
  const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Who owns each table"), doc.indexOf("### ClickHouse tables"));
  const owners = new Map<string, Set<string>>();
  for (const row of section.split("\n").filter((l) => l.startsWith("| `"))) {
    const [, named = "", owner = ""] = row.split("|");
    const units = [...owner.matchAll(/`([\w/.-]+)`/g)]
      .map((m) => m[1]!)
      .map((u) => (u.startsWith("apps/") ? u : `packages/${u}`))
      .filter((u) => existsSync(join(root, u, "package.json")));
    // Tables are the cell's backticked names; columns in parentheses and prose after a semicolon are not.
    const tableNames = named.split(";")[0]!.replace(/\([^)]*\)/g, "");
    for (const m of tableNames.matchAll(/`(\w+)(?:\.\w+)?`/g)) {
      const set = owners.get(m[1]!) ?? new Set<string>();
      for (const u of units) set.add(u);
      owners.set(m[1]!, set);
    }
  }
  return owners;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "generated") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(name)) yield path;
  }
}

/** Prisma model delegates (`customerLoyalty`) by the table they map to (`customer_loyalty`). */
function delegatesByTable(): Map<string, string> {
  const schema = readFileSync(join(root, "packages/db/prisma/schema.prisma"), "utf8");
  const out = new Map<string, string>();
  for (const m of schema.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const table = m[2]!.match(/@@map\("(\w+)"\)/)?.[1];
    if (table) out.set(`${m[1]![0]!.toLowerCase()}${m[1]!.slice(1)}`, table);
  }
  return out;
}

const sqlWrite = /\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+"?(\w+)/g;
const splicedWrite = /\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+"?\$\{/g;
const prismaWrite =
  /\.(\w+)\.(?:create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\(/g;
const sqlRead = /\b(?:FROM|JOIN)\s+"?(\w+)/g;
const prismaRead =
  /\.(\w+)\.(?:findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|findMany|count|aggregate|groupBy)\(/g;

/** Which package or app names which table in its `src/` (SQL matched by `sql`, Prisma calls by `prisma`). */
function usesOf(known: Set<string>, sql: RegExp, prisma: RegExp): Map<string, Map<string, string[]>> {
  const delegates = delegatesByTable();
  const out = new Map<string, Map<string, string[]>>();
  const note = (table: string, unit: string, file: string) => {
    const byUnit = out.get(table) ?? new Map<string, string[]>();
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), relative(root, file)]);
    out.set(table, byUnit);
  };
  for (const kind of ["apps", "packages"]) {
    for (const name of readdirSync(join(root, kind))) {
      const src = join(root, kind, name, "src");
      if (!existsSync(src)) continue;
      for (const file of sourceFiles(src)) {
        const text = readFileSync(file, "utf8");
        const used = new Set<string>();
        for (const m of text.matchAll(sql)) if (known.has(m[1]!)) used.add(m[1]!);
        for (const m of text.matchAll(prisma)) {
          const table = delegates.get(m[1]!);
          if (table && known.has(table)) used.add(table);
        }
        for (const table of used) note(table, `${kind}/${name}`, file);
      }
    }
  }
  return out;
}

/** Which package or app writes which table: literal SQL INSERT/UPDATE/DELETE and Prisma writes. */
const writers = (known: Set<string>) => usesOf(known, sqlWrite, prismaWrite);

describe("docs/architecture.md names the owner of every table, and only owners write", () => {
  it("every table of the migrated database has a row, and every table a row names exists", () => {
    const documented = documentedOwners();
    expect([...tables].filter((t) => !documented.has(t)).sort()).toEqual([]);
    expect([...documented.keys()].filter((t) => !tables.has(t)).sort()).toEqual([]);
    for (const [table, owners] of documented) expect(owners.size, `${table} has no owner`).toBeGreaterThan(0);
  });

  it("every package that writes a table is named in its row", () => {
    const documented = documentedOwners();
    const strangers: string[] = [];
    for (const [table, byUnit] of writers(tables)) {
      for (const [unit, files] of byUnit) {
        if (crossOwnerWriters.has(unit) || documented.get(table)?.has(unit)) continue;
        strangers.push(`${table} written by ${unit} (${files.join(", ")})`);
      }
    }
    expect(strangers).toEqual([]);
  });

  it("no package splices the table name into a write, where the check above cannot see which table it writes", () => {
    const spliced: string[] = [];
    for (const kind of ["apps", "packages"]) {
      for (const name of readdirSync(join(root, kind))) {
        const src = join(root, kind, name, "src");
        if (!existsSync(src) || crossOwnerWriters.has(`${kind}/${name}`)) continue;
        for (const file of sourceFiles(src)) {
          const path = relative(root, file);
          if (splicedWritesAllowed.has(path)) continue;
          const count = [...readFileSync(file, "utf8").matchAll(splicedWrite)].length;
          if (count) spliced.push(`${path}: ${count} write(s) with a spliced table name`);
        }
      }
    }
    expect(spliced).toEqual([]);
  });

  it("the ledger's own tables are read only by ledger-store, and by privacy's catalogue for the export", () => {
    const ledgerTables = new Set(["ledger_accounts", "ledger_movements", "ledger_entries", "point_lots"]);
    const readers = usesOf(ledgerTables, sqlRead, prismaRead);
    const strangers = [...readers].flatMap(([table, byUnit]) =>
      [...byUnit]
        .filter(([unit]) => unit !== "packages/ledger-store" && unit !== "packages/privacy")
        .map(([unit, files]) => `${table} read by ${unit} (${files.join(", ")})`),
    );
    expect(strangers).toEqual([]);
    expect([...(readers.get("point_lots")?.keys() ?? [])]).toContain("packages/ledger-store");
  });

  it("finds writes of both kinds, so a stranger would be caught", () => {
    const found = writers(tables);
    // Literal SQL: the ledger's movements; a Prisma write: the audit log.
    expect([...(found.get("ledger_movements")?.keys() ?? [])]).toEqual(["packages/ledger-store"]);
    expect([...(found.get("audit_log")?.keys() ?? [])]).toEqual(["packages/audit"]);
    // A merge moves the merged customer's sales to the survivor: another owner's table, written by customers-store.
    expect([...(found.get("transactions")?.keys() ?? [])]).toContain("packages/customers-store");
  });
});
