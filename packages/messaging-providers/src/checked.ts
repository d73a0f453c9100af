import {
  type Channel,
  type OutgoingMessage,
  OutgoingMessage as OutgoingMessageSchema,
  type SendFailure,
  sendFailure,
} from "@regulars/messaging";

/**
 * Every provider checks what it is given before sending: a message that is not valid, or for a channel the
 * provider does not carry, fails as `unsupported` (not retryable) instead of reaching a third party.
 */
export function checkedMessage<C extends Channel>(
  message: unknown,
  channels: readonly C[],
): { ok: true; message: Extract<OutgoingMessage, { channel: C }> } | { ok: false; failure: SendFailure } {
  const parsed = OutgoingMessageSchema.safeParse(message);
  if (!parsed.success)
    return {
      ok: false,
      failure: sendFailure(
        "unsupported",
        `not a valid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      ),
    };
  if (!(channels as readonly Channel[]).includes(parsed.data.channel))
    return { ok: false, failure: sendFailure("unsupported", `this provider does not send ${parsed.data.channel}`) };
  return { ok: true, message: parsed.data as Extract<OutgoingMessage, { channel: C }> };
}
