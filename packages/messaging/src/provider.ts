import { z } from "zod";
import type { Channel } from "./channels.ts";
import type { OutgoingMessage } from "./message.ts";

/**
 * Why a send failed, and whether trying again can help. The retry policy reads only `retryable` and
 * `retryAfterMs`; the code and message are for the failed state an admin reads.
 */
export const SendFailureCode = z.enum([
  /** No answer in time: the provider may or may not have taken it (providers de-duplicate by our id where they can). */
  "timeout",
  /** Connection refused, reset, DNS: the provider was not reached. */
  "unreachable",
  /** 429, a temporary SMTP refusal (4xx), or every connection of ours busy until the caller stopped waiting. */
  "rate_limited",
  /** 5xx: the provider's own trouble. */
  "provider_error",
  /** The provider refused this message (4xx, SMTP 5xx): the same request would be refused again. */
  "rejected",
  /** The address, number or device no longer exists (push 404/410): drop it rather than retry. */
  "recipient_gone",
  /** Our credentials or configuration were refused (401/403, SMTP auth): an operator must act. */
  "misconfigured",
  /** This provider cannot carry the message (wrong channel or platform, invalid push subscription). */
  "unsupported",
]);
export type SendFailureCode = z.infer<typeof SendFailureCode>;

export const SendFailure = z.object({
  code: SendFailureCode,
  retryable: z.boolean(),
  message: z.string(),
  /** HTTP status or SMTP reply code, when there was one. */
  status: z.number().int().optional(),
  /** The provider asked to wait this long (Retry-After). */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /**
   * Certainly not sent: withdrawn before it was handed on (every connection stayed busy). No attempt was made, so
   * none is counted: a slow relay must not use up a message's attempts while it waits its turn.
   */
  notSent: z.literal(true).optional(),
});
export type SendFailure = z.infer<typeof SendFailure>;

const retryableCodes: ReadonlySet<SendFailureCode> = new Set([
  "timeout",
  "unreachable",
  "rate_limited",
  "provider_error",
]);

export function sendFailure(
  code: SendFailureCode,
  message: string,
  extra: { status?: number; retryAfterMs?: number; notSent?: true } = {},
): SendFailure {
  return { code, retryable: retryableCodes.has(code), message, ...extra };
}

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: SendFailure };

/** How long the caller waits, for providers that queue messages behind a limit of their own (SMTP connections). */
export interface SendOptions {
  /**
   * Aborted when the caller stops waiting. A message still queued then is withdrawn and answered `rate_limited`:
   * never handed on, so a retry cannot deliver it twice. A send already under way is not withdrawn (it cannot
   * be called back); the provider's own timeout ends it.
   */
  signal?: AbortSignal;
  /** Called as the message is handed on: the wait for a connection is over and the send itself starts. */
  started?: () => void;
}

/**
 * One interface for every channel provider. `send` never throws for a delivery problem: it answers with
 * the provider's id for the message or a typed failure, so the caller's retry and status logic sees every
 * outcome the same way.
 */
export interface MessageProvider<C extends Channel = Channel> {
  /** A name for statuses and metrics (`smtp`, `http-sms`, `web-push`, `fcm`, `development`). */
  readonly name: string;
  readonly channels: readonly C[];
  send(message: Extract<OutgoingMessage, { channel: C }>, options?: SendOptions): Promise<SendResult>;
  /** Ends what the provider holds open (an SMTP connection pool). */
  close?(): void;
}
