import {
  type Bus,
  busTopology,
  getDeadLetter,
  readDeadLetters,
  replayDeadLetter,
  type StoredDeadLetter,
} from "@regulars/bus";
import type { Command } from "commander";
import { z } from "zod";
import { UsageError } from "./command-kit.ts";
import { openBus } from "./dlq-bus.ts";

const consumerNames = Object.values(busTopology().consumers);
const durations: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `2h`, `30m`, `7d`: that long ago; otherwise an ISO 8601 instant with an offset. */
const Since = z.string().transform((value, ctx) => {
  const ago = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (ago) return new Date(Date.now() - Number(ago[1]) * durations[ago[2]!]!);
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    ctx.addIssue({
      code: "custom",
      message: "must be a duration such as 2h, 30m or 7d, or an ISO 8601 time such as 2026-11-26T12:00:00Z",
    });
  return new Date(at);
});
const Filters = z.object({
  consumer: z
    .enum(consumerNames as [string, ...string[]], { message: `must be one of: ${consumerNames.join(", ")}` })
    .optional(),
  since: Since.optional(),
  id: z.coerce.number().int().positive({ message: "must be a dead-letter sequence number (see dlq list)" }).optional(),
});
type Filters = z.infer<typeof Filters>;

function filters(opts: Record<string, unknown>): Filters {
  const result = Filters.safeParse(opts);
  if (result.success) return result.data;
  throw new UsageError(result.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("\n"));
}

/** The dead letters an operator selected: one by --id, or all matching --consumer and --since. */
async function select(bus: Bus, f: Filters): Promise<StoredDeadLetter[]> {
  if (f.id !== undefined) {
    const one = await getDeadLetter(bus, f.id);
    if (!one) throw new UsageError(`--id: no dead letter ${f.id} (already replayed, or older than 30 days?)`);
    const matches =
      (!f.consumer || one.letter.consumer === f.consumer) &&
      (!f.since || Date.parse(one.letter.failedAt) >= f.since.getTime());
    return matches ? [one] : [];
  }
  const found: StoredDeadLetter[] = [];
  for await (const d of readDeadLetters(bus, {
    ...f,
    onProgress: (n) => process.stderr.write(`read ${n} dead letters...\n`),
  }))
    found.push(d);
  return found;
}

const summary = ({ seq, letter }: StoredDeadLetter) => ({
  seq,
  consumer: letter.consumer,
  failedAt: letter.failedAt,
  reason: letter.reason,
  subject: letter.subject,
  stream: letter.stream,
  streamSequence: letter.streamSequence,
  deliveries: letter.deliveries,
});

function table(rows: StoredDeadLetter[]): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const lines = rows.map((r) => [
    String(r.seq),
    r.letter.consumer,
    r.letter.failedAt,
    cut(r.letter.reason.replace(/\s+/g, " "), 70),
    r.letter.subject,
  ]);
  const header = ["SEQ", "CONSUMER", "FAILED AT", "REASON", "SUBJECT"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return `${[header, ...lines].map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n")}\n`;
}

const decoded = (payload: string) => {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
};

/** `3 dead letter(s): 4, 5, 9`, the sequences elided in the middle past 20. */
function counted(seqs: number[]): string {
  if (!seqs.length) return "0 dead letter(s)";
  return `${seqs.length} dead letter(s): ${seqs.length <= 20 ? seqs.join(", ") : `${seqs[0]} … ${seqs.at(-1)}`}`;
}

/** Runs an action over the bus; usage errors print without a stack trace and exit with code 2. */
const withBus =
  <O>(fn: (bus: Bus, opts: O) => Promise<void>) =>
  async (opts: O) => {
    let bus: Bus | null = null;
    try {
      bus = await openBus(process.env);
      await fn(bus, opts);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    } finally {
      await bus?.close();
    }
  };

/** `regulars dlq list|show|replay`: messages a consumer gave up on, kept 30 days with the reason. */
export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command("dlq")
    .description("dead-lettered messages: list, show, replay (NATS from NATS_URL or the running server)");
  const filterOptions = (c: Command) =>
    c
      .option("--consumer <name>", `only this consumer's: ${consumerNames.join(", ")}`)
      .option("--since <when>", "only those dead-lettered since: a duration (2h, 30m, 7d) or an ISO 8601 time")
      .option("--id <seq>", "only this dead letter (its SEQ in dlq list)");

  filterOptions(
    dlq.command("list").description("list dead letters: seq, consumer, failed at, reason, original subject"),
  )
    .option("--json", "print machine-readable JSON")
    .action(
      withBus(async (bus, opts: Record<string, unknown> & { json?: boolean }) => {
        const rows = await select(bus, filters(opts));
        process.stdout.write(
          opts.json ? `${JSON.stringify(rows.map(summary))}\n` : rows.length ? table(rows) : "no dead letters\n",
        );
      }),
    );

  dlq
    .command("show")
    .description("print one dead letter with its decoded payload")
    .requiredOption("--id <seq>", "the dead letter's SEQ in dlq list")
    .option("--json", "print machine-readable JSON")
    .action(
      withBus(async (bus, opts: Record<string, unknown> & { json?: boolean }) => {
        const [one] = await select(bus, filters({ id: opts.id }));
        const shown = { ...summary(one!), payload: decoded(one!.letter.payload) };
        process.stdout.write(opts.json ? `${JSON.stringify(shown)}\n` : `${JSON.stringify(shown, null, 2)}\n`);
      }),
    );

  filterOptions(
    dlq
      .command("replay")
      .description(
        "publish dead letters again on their original subjects, each for its own consumer only, then remove them",
      ),
  )
    .option("--all", "replay every dead letter (required when no other filter is given)")
    .action(
      withBus(async (bus, opts: Record<string, unknown> & { all?: boolean }) => {
        const { all, ...rest } = opts;
        const f = filters(rest);
        if (!all && f.id === undefined && !f.consumer && !f.since)
          throw new UsageError("replay needs --id, --consumer, --since or --all");
        const chosen = await select(bus, f);
        // A refused letter stays where it is; the rest are still tried, and the operator is told which was which.
        const replayed: number[] = [];
        const refused: number[] = [];
        for (const [i, d] of chosen.entries()) {
          try {
            await replayDeadLetter(bus, d);
            replayed.push(d.seq);
          } catch (e) {
            refused.push(d.seq);
            process.stderr.write(`refused dead letter ${d.seq}: ${e instanceof Error ? e.message : String(e)}\n`);
          }
          if ((i + 1) % 100 === 0) process.stderr.write(`tried ${i + 1} of ${chosen.length}...\n`);
        }
        process.stdout.write(`replayed ${counted(replayed)}\n${refused.length ? `refused ${counted(refused)}\n` : ""}`);
        if (refused.length) process.exitCode = 1;
      }),
    );
}
