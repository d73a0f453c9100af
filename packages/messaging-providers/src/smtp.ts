import { type EmailMessage, type MessageProvider, type SendFailure, sendFailure } from "@regulars/messaging";
import nodemailer from "nodemailer";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";
import { failureText } from "./failure-text.ts";
import { slots } from "./slots.ts";

export const SmtpProviderConfig = z.object({
  kind: z.literal("smtp"),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(587),
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  requireTls: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  /** The sender as it appears to the customer: `Burger Bros <hello@burgerbros.example>`. */
  from: z.string().min(3),
  replyTo: z.string().optional(),
  timeoutMs: z.number().int().min(100).default(15_000),
  /** A connection pool for broadcasts; `close()` ends it. */
  pool: z.boolean().default(true),
  maxConnections: z.number().int().min(1).max(20).default(3),
});
export type SmtpProviderConfig = z.infer<typeof SmtpProviderConfig>;

/**
 * E-mail over SMTP through nodemailer. The Message-ID is made from our message id, so a retry after a lost
 * answer carries the same id and a receiving system can tell it is the same message.
 *
 * Messages beyond the pool's connections wait for one here, not in nodemailer's queue: a message queued there
 * is delivered whenever a connection frees, even after the caller gave up on it and retries it, which reaches the
 * customer twice. One waiting here when the caller's signal aborts is withdrawn and never handed to nodemailer.
 */
export function smtpProvider(configInput: z.input<typeof SmtpProviderConfig>): MessageProvider<"email"> {
  const config = SmtpProviderConfig.parse(configInput);
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    ...(config.pool ? { pool: true, maxConnections: config.maxConnections } : {}),
    logger: false,
    debug: false,
  });
  const domain = /@([^>\s]+)/.exec(config.from)?.[1] ?? "localhost";
  const secrets = config.auth ? [config.auth.pass] : [];
  // Without a pool each message opens its own connection at once: nothing queues.
  const connections = slots(config.pool ? config.maxConnections : Number.POSITIVE_INFINITY);
  return {
    name: "smtp",
    channels: ["email"],
    async send(input, options = {}) {
      const checked = checkedMessage(input, ["email"]);
      if (!checked.ok) return checked;
      const message: EmailMessage = checked.message;
      const { signal } = options;
      const taken = await connections.take(signal);
      if (!taken || signal?.aborted) {
        if (taken) connections.give();
        return {
          ok: false,
          failure: sendFailure("rate_limited", busyText(config.maxConnections), { notSent: true }),
        };
      }
      options.started?.();
      try {
        const info = await transport.sendMail({
          from: config.from,
          ...(config.replyTo ? { replyTo: config.replyTo } : {}),
          to: message.to,
          subject: message.subject,
          ...(message.html !== undefined ? { html: message.html } : {}),
          ...(message.text !== undefined ? { text: message.text } : {}),
          messageId: `<${message.id}@${domain}>`,
          headers: { "X-Regulars-Message-Id": message.id },
        });
        return { ok: true, providerMessageId: String(info.messageId) };
      } catch (e) {
        return { ok: false, failure: smtpFailure(e, secrets) };
      } finally {
        connections.give();
      }
    },
    close: () => transport.close(),
  };
}

const busyText = (n: number) => `SMTP: not sent, all ${n} connections stayed busy until the sender stopped waiting`;

/**
 * SMTP replies say themselves whether to try again: 4xx is temporary (greylisting, a full queue), 5xx is
 * permanent. Without a reply the server was not reached or did not answer in time. A refusal often quotes the
 * recipient (`550 5.1.1 <jane@example.com>: Recipient address rejected`): addresses and numbers are redacted.
 */
function smtpFailure(e: unknown, secrets: readonly string[]): SendFailure {
  const error = e as Error & { code?: string; responseCode?: number };
  const message = failureText(`SMTP: ${error.message}`, secrets);
  const status = error.responseCode;
  if (error.code === "EAUTH") return sendFailure("misconfigured", message, status ? { status } : {});
  if (status !== undefined && status >= 500) return sendFailure("rejected", message, { status });
  if (status !== undefined && status >= 400) return sendFailure("rate_limited", message, { status });
  if (error.code === "ETIMEDOUT") return sendFailure("timeout", message);
  if (error.code === "ETLS" || error.code === "EENVELOPE" || error.code === "EMESSAGE")
    return sendFailure("rejected", message);
  return sendFailure("unreachable", message);
}
