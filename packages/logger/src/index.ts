import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import { serializeError } from "./database-errors.ts";
import { redactCredentialsInText } from "./redact-urls.ts";

export type { Logger };

/**
 * Structured logs with secrets and personal data redacted: API keys, phone numbers and e-mail
 * addresses must never reach a log store, whatever a caller passes in.
 */
const redactedPaths = [
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "apiKey",
  "*.apiKey",
  "apiKeys",
  "*.apiKeys",
  "phone",
  "*.phone",
  "*.*.phone",
  "email",
  "*.email",
  "password",
  "*.password",
  "databaseUrl",
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  name?: string;
  /** Where lines go (default stdout); tests pass a collector. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const out =
    opts.destination ??
    (opts.pretty
      ? pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" })
      : pino.destination(1));
  return pino(
    {
      name: opts.name ?? "regulars",
      level: opts.level ?? "info",
      redact: { paths: redactedPaths, censor: "[redacted]" },
      // pino's own error serializer writes every field an error has, and a database error's `detail` quotes the row.
      serializers: { err: serializeError },
    },
    // Field paths cannot catch a URL with a password inside a message or an error: every finished line
    // goes through the URL credential filter before it leaves the process.
    { write: (line: string) => out.write(redactCredentialsInText(line)) },
  );
}

/** A logger that writes nothing, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: "silent" });

/** One registry per process; each role registers its own metrics on it. */
export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

const deadLettersTotal = "regulars_dead_letters_total";

/**
 * Counts dead letters on the registry's `regulars_dead_letters_total`, by consumer and reason category. The workers
 * count their consumers' there, and every outbox publisher the events NATS refused for good: the gateway's and the
 * API's too, or an alert on the metric would miss those. Roles of one process share the registry, and the counter.
 */
export function countDeadLetters(registry: Registry): (dead: { consumer: string; category: string }) => void {
  const counter =
    (registry.getSingleMetric(deadLettersTotal) as Counter<"consumer" | "category"> | undefined) ??
    new Counter({
      name: deadLettersTotal,
      help: "Messages dead-lettered, by consumer and reason category",
      labelNames: ["consumer", "category"],
      registers: [registry],
    });
  return ({ consumer, category }) => counter.inc({ consumer, category });
}

export { redactCredentialsInText, redactUrl } from "./redact-urls.ts";
