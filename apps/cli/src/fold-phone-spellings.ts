import { type FoldOutcome, foldPhoneSpellings } from "@regulars/customers-store";
import type { Command } from "commander";
import { action, requireTenant, type WithDatabase } from "./command-kit.ts";

/** The customers' change records name this as its source; the audit actor of what an operator does from here. */
const ORIGIN = { actor: "cli", source: "cli:fold-phone-spellings" };

const lineOf = (o: FoldOutcome) => {
  const { tenantId, mergedId, otherSpelling, survivorId, phone } = o.split;
  const pair = `${mergedId} (${otherSpelling}) into ${survivorId} (${phone})`;
  if (o.kind === "merged") return `${tenantId}: merged ${pair}\n`;
  if (o.kind === "would_merge") return `${tenantId}: would merge ${pair}\n`;
  return `${tenantId}: left ${pair}: ${o.reason}\n`;
};

/**
 * `customers fold-phone-spellings`: merges the customers one number's two spellings split (a till's `+480604100077`,
 * the app's `+48604100077`), the valid spelling's surviving. Progress on standard error, each merge on standard output.
 */
export function registerFoldPhoneSpellings(customers: Command, withDatabase: WithDatabase): void {
  customers
    .command("fold-phone-spellings")
    .description(
      "merge customers split by two spellings of one phone number (+480604100077 and +48604100077); " +
        "the valid spelling's customer survives; running it again merges nothing",
    )
    .option("--tenant <id>", "only this tenant (default: every tenant)")
    .option("--dry-run", "list the customers it would merge, merge none")
    .action(
      action(async (opts: { tenant?: string; dryRun?: boolean }) => {
        const outcomes = await withDatabase(async ({ db }) => {
          if (opts.tenant) await requireTenant(db, opts.tenant);
          return foldPhoneSpellings(db, {
            tenantId: opts.tenant,
            dryRun: opts.dryRun,
            origin: { ...ORIGIN, now: new Date() },
            onTenant: (tenantId) => process.stderr.write(`looking for split phone numbers in ${tenantId}\n`),
            onOutcome: (o) => process.stdout.write(lineOf(o)),
          });
        });
        const count = (kind: FoldOutcome["kind"]) => outcomes.filter((o) => o.kind === kind).length;
        const left = count("refused");
        process.stdout.write(
          opts.dryRun
            ? `${count("would_merge")} pair(s) would be merged (dry run: nothing changed)\n`
            : `${count("merged")} pair(s) merged${left ? `, ${left} left as they were (see above)` : ""}\n`,
        );
      }),
    );
}
