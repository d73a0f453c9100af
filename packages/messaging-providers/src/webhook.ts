import { Channel, type MessageProvider } from "@regulars/messaging";
import { isWebhookSecret, signedHeaders } from "@regulars/webhooks";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";
import { postToProvider, valueInAnswer } from "./http.ts";

export const WebhookProviderConfig = z.object({
  kind: z.literal("webhook"),
  /** The brand's own service that delivers the messages (its notification hub, a CDP, an iPaaS flow). */
  url: z.url({ protocol: /^https?$/ }),
  /** The Standard Webhooks secret the receiver verifies our signature with. */
  secret: z
    .string()
    .refine(isWebhookSecret, "must be a Standard Webhooks secret: whsec_ and the base64 of 32 or more random bytes"),
  /** Where the receiver's message id is in its answer: a dotted path such as `id` or `result.id`. */
  responseIdPath: z.string().min(1).default("id"),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type WebhookProviderConfig = z.infer<typeof WebhookProviderConfig>;

/** What the receiver gets: the rendered message of any channel, addressed, in the envelope our webhooks use. */
export interface MessageSendPayload {
  type: "message.send";
  timestamp: string;
  data: unknown;
}

/**
 * Any channel through an HTTP endpoint of the brand's own: each message is one JSON POST signed as Standard
 * Webhooks sign (`webhook-id` is the message id on every attempt, so the receiver de-duplicates a retry; the
 * signature covers id, timestamp and body). A 2xx means the receiver took it; its answer may carry its own id.
 * Failures sort as every HTTP provider's do (5xx and 429 retried, 401/403 misconfigured, other 4xx rejected).
 */
export function webhookProvider(
  configInput: z.input<typeof WebhookProviderConfig>,
  clock: () => Date = () => new Date(),
): MessageProvider<Channel> {
  const config = WebhookProviderConfig.parse(configInput);
  const channels = Channel.options;
  return {
    name: "webhook",
    channels,
    async send(input) {
      const checked = checkedMessage(input, channels);
      if (!checked.ok) return checked;
      const message = checked.message;
      const at = clock();
      const payload: MessageSendPayload = { type: "message.send", timestamp: at.toISOString(), data: message };
      const body = JSON.stringify(payload);
      const answer = await postToProvider({
        url: config.url,
        headers: {
          "content-type": "application/json",
          "idempotency-key": message.id,
          ...signedHeaders(message.id, at, body, [config.secret]),
        },
        body,
        timeoutMs: config.timeoutMs,
        secrets: [config.secret],
      });
      if (!answer.ok) return answer;
      return { ok: true, providerMessageId: valueInAnswer(answer.text, config.responseIdPath) ?? message.id };
    },
  };
}
