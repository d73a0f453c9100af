/**
 * Flag parsing for the benches that run a fixed workload (bench:analytics, bench:ledger, bench:segments,
 * bench:webhooks, bench:campaigns): strict, with --help, and every value checked before the bench starts a database,
 * ClickHouse or a whole system, so a typo costs a line of text rather than minutes of setup and a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { BenchUsageError } from "./running-system.ts";

export { BenchUsageError };

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

type Flags<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];

/**
 * The bench's checked settings, or null when --help was asked for. `check` turns the flags' text into settings
 * and throws a BenchUsageError naming the flag whose value will not do.
 */
export function parseBenchFlags<const O extends ParseArgsOptionsConfig, T>(
  options: O,
  check: (flags: Flags<O>) => T,
  argv: string[],
): T | null {
  let values: Flags<O> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: "boolean", short: "h" } },
    }) as { values: Flags<O> & { help?: boolean } });
  } catch (e) {
    // parseArgs's own message names the flag: "Unknown option '--bogus'", "Option '--runs <value>' argument missing".
    throw new BenchUsageError((e as Error).message);
  }
  return values.help ? null : check(values);
}

/**
 * What a bench's entry point calls first: --help prints the usage and exits 0; a flag or value that will not do
 * prints one line naming it, then the usage, and exits 2, as bench:ingest does.
 */
export function benchFlagsOrExit<const O extends ParseArgsOptionsConfig, T>(
  usage: string,
  options: O,
  check: (flags: Flags<O>) => T,
  argv: string[] = process.argv.slice(2),
): T {
  let settings: T | null;
  try {
    settings = parseBenchFlags(options, check, argv);
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (settings === null) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return settings;
}

/** A whole number of at least `min` (the default when the flag is absent). */
export function wholeFlag(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < min)
    throw new BenchUsageError(`--${flag} must be a whole number of at least ${min}, got "${raw}"`);
  return n;
}

/** A number above 0, fractions allowed (a rate, a number of seconds). */
export function positiveFlag(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new BenchUsageError(`--${flag} must be a number above 0, got "${raw}"`);
  return n;
}
