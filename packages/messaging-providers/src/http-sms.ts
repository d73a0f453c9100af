import type { MessageProvider, SmsMessage } from "@regulars/messaging";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";
import { postToProvider, valueInAnswer } from "./http.ts";

export const HttpSmsProviderConfig = z.object({
  kind: z.literal("http-sms"),
  /** The gateway's send endpoint. */
  url: z.url({ protocol: /^https?$/ }),
  /** The header that carries the credential: `Authorization: Bearer …`, `X-Api-Key: …`. */
  auth: z.object({ header: z.string().min(1).default("Authorization"), value: z.string().min(1) }).optional(),
  /** The sender id or number the gateway shows. */
  from: z.string().min(1).optional(),
  /** The JSON field names this gateway expects. */
  fields: z
    .object({
      to: z.string().min(1).default("to"),
      body: z.string().min(1).default("text"),
      from: z.string().min(1).default("from"),
      reference: z.string().min(1).default("reference"),
    })
    .prefault({}),
  /** Fixed fields every request carries (an account id, a route). */
  extra: z.record(z.string(), z.json()).default({}),
  /** Where the gateway's message id is in its answer: a dotted path such as `id` or `messages.0.id`. */
  responseIdPath: z.string().min(1).default("id"),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type HttpSmsProviderConfig = z.infer<typeof HttpSmsProviderConfig>;

/**
 * SMS through any gateway with a JSON HTTP API. Our message id goes along as the reference and as the
 * `Idempotency-Key` header, so a gateway that de-duplicates sends a retried message once.
 */
export function httpSmsProvider(configInput: z.input<typeof HttpSmsProviderConfig>): MessageProvider<"sms"> {
  const config = HttpSmsProviderConfig.parse(configInput);
  const secrets = config.auth ? [config.auth.value] : [];
  return {
    name: "http-sms",
    channels: ["sms"],
    async send(input) {
      const checked = checkedMessage(input, ["sms"]);
      if (!checked.ok) return checked;
      const message: SmsMessage = checked.message;
      const body: Record<string, unknown> = {
        ...config.extra,
        [config.fields.to]: message.to,
        [config.fields.body]: message.body,
        [config.fields.reference]: message.id,
      };
      if (config.from) body[config.fields.from] = config.from;
      const answer = await postToProvider({
        url: config.url,
        headers: {
          "content-type": "application/json",
          "idempotency-key": message.id,
          ...(config.auth ? { [config.auth.header]: config.auth.value } : {}),
        },
        body: JSON.stringify(body),
        timeoutMs: config.timeoutMs,
        secrets,
      });
      if (!answer.ok) return answer;
      // A 2xx means the gateway took the message: without an id in its answer it is still sent (under our id),
      // since a retry would send the customer a second SMS.
      return { ok: true, providerMessageId: valueInAnswer(answer.text, config.responseIdPath) ?? message.id };
    },
  };
}
