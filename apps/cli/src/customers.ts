import { rename, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Analytics } from "@regulars/analytics";
import { eraseCustomer, exportCustomer } from "@regulars/privacy";
import type { Command } from "commander";
import { openAnalytics } from "./analytics.ts";
import { action, UsageError } from "./command-kit.ts";
import type { openDatabase } from "./database.ts";
import { registerFoldPhoneSpellings } from "./fold-phone-spellings.ts";

type WithDatabase = <T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => Promise<T>;

/** The audit log's actor for what an operator does from the command line. */
const ACTOR = "cli";

async function withAnalytics<T>(fn: (analytics: Analytics) => Promise<T>): Promise<T> {
  const analytics = await openAnalytics(process.env);
  try {
    return await fn(analytics);
  } finally {
    await analytics.close();
  }
}

export function registerCustomerCommands(program: Command, withDatabase: WithDatabase): void {
  const customers = program
    .command("customers")
    .description("a customer's data: GDPR export and erasure; merging customers split by a phone's spellings");

  customers
    .command("export")
    .description("everything held about a customer (Postgres and ClickHouse) as one JSON document")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--customer <id>", "customer id")
    .option("--out <file>", "write the document to this file instead of standard output")
    .action(
      action(async (opts: { tenant: string; customer: string; out?: string }) => {
        const doc = await withDatabase(({ db }) =>
          withAnalytics((analytics) =>
            exportCustomer({ db, analytics }, opts.tenant, opts.customer, { actor: ACTOR, now: new Date() }),
          ),
        );
        // The library exports the survivor's data by a merged-away id: the operator is told whose document it is.
        if (doc.resolvedFrom)
          process.stderr.write(`${doc.resolvedFrom} was merged into ${doc.customerId}: exported ${doc.customerId}\n`);
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (opts.out) {
          // Relative to where the operator ran `pnpm regulars`, not the CLI package pnpm runs it in: an export holds
          // personal data and must not land inside the source tree.
          const out = resolve(process.env.INIT_CWD ?? process.cwd(), opts.out);
          // A mode applies only to a file created: the document goes to a new owner-only file beside the target,
          // renamed over it, so a file already there (readable by others) is replaced, never left half-written.
          const fresh = `${out}.${process.pid}.tmp`;
          try {
            await writeFile(fresh, text, { mode: 0o600, flag: "wx" });
            await rename(fresh, out);
          } catch (e) {
            await rm(fresh, { force: true });
            const { code, message } = e as NodeJS.ErrnoException;
            throw new UsageError(`--out: cannot write ${out} (${code ?? message})`);
          }
          process.stderr.write(`exported ${doc.customerId} to ${out}\n`);
        } else process.stdout.write(text);
      }),
    );

  customers
    .command("erase")
    .description("erase a customer's personal data everywhere; the ledger and the tenant's totals stay")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--customer <id>", "customer id")
    .requiredOption("--confirm <id>", "the customer id again")
    .action(
      action(async (opts: { tenant: string; customer: string; confirm: string }) => {
        if (opts.confirm !== opts.customer) {
          process.stderr.write("--confirm: must be the same as --customer\n");
          process.exitCode = 2;
          return;
        }
        const outcome = await withDatabase(async ({ db }) => {
          // ClickHouse may be held by the running server (embedded): its part is then left to the scheduled job.
          const analytics = await openAnalytics(process.env).catch((e: Error) => {
            process.stderr.write(`ClickHouse not reachable (${e.message}); the scheduled job finishes its part\n`);
            return null;
          });
          try {
            return await eraseCustomer({ db, analytics }, opts.tenant, opts.customer, {
              actor: ACTOR,
              cause: "request",
              now: new Date(),
            });
          } finally {
            await analytics?.close();
          }
        });
        const { outbox: _publishedByTheRelay, ...report } = outcome;
        process.stdout.write(`${JSON.stringify(report)}\n`);
      }),
    );

  registerFoldPhoneSpellings(customers, withDatabase);
}
