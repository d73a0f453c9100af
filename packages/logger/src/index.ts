import { pino, type Logger } from "pino";
import { Registry, collectDefaultMetrics } from "prom-client";

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
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino({
    name: opts.name ?? "regulars",
    level: opts.level ?? "info",
    redact: { paths: redactedPaths, censor: "[redacted]" },
    ...(opts.pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  });
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

/** Strip credentials from a URL before it is logged or printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
