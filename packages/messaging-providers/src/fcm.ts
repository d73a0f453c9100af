import { type MessageProvider, type PushMessage, sendFailure } from "@regulars/messaging";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";
import { postToProvider } from "./http.ts";

export const FcmProviderConfig = z.object({
  kind: z.literal("fcm"),
  /** The send endpoint: `https://fcm.googleapis.com/v1/projects/<project>/messages:send` or a compatible service. */
  url: z.url({ protocol: /^https?$/ }),
  /** A bearer token; where it rotates (OAuth), pass `accessToken` to the factory instead. */
  accessToken: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type FcmProviderConfig = z.infer<typeof FcmProviderConfig>;

export interface FcmProviderOptions {
  /** Called before each send: an app that holds a service account hands out short-lived OAuth tokens here. */
  accessToken?: () => Promise<string>;
}

/**
 * Push to the brand's iOS and Android apps through an FCM HTTP v1 style API: one POST per device with a
 * `notification` (title, body) and string `data` the app reads (our message id and the link to open).
 * 404 (`UNREGISTERED`) means the app was removed from the device.
 */
export function fcmProvider(
  configInput: z.input<typeof FcmProviderConfig>,
  options: FcmProviderOptions = {},
): MessageProvider<"push"> {
  const config = FcmProviderConfig.parse(configInput);
  if (!config.accessToken && !options.accessToken)
    throw new Error("fcm: an access token or a way to get one is needed");
  const token = options.accessToken ?? (async () => config.accessToken!);
  return {
    name: "fcm",
    channels: ["push"],
    async send(input) {
      const checked = checkedMessage(input, ["push"]);
      if (!checked.ok) return checked;
      const message: PushMessage = checked.message;
      if (message.to.platform === "web")
        return { ok: false, failure: sendFailure("unsupported", "a web subscription goes through web push, not FCM") };
      const bearer = await token();
      const data = { ...message.data, message_id: message.id, ...(message.url ? { url: message.url } : {}) };
      const answer = await postToProvider({
        url: config.url,
        headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
        body: JSON.stringify({
          message: { token: message.to.token, notification: { title: message.title, body: message.body }, data },
        }),
        timeoutMs: config.timeoutMs,
        goneStatuses: [404, 410],
        secrets: [bearer],
      });
      if (!answer.ok) return answer;
      return { ok: true, providerMessageId: nameOf(answer.text) ?? message.id };
    },
  };
}

/** FCM answers `{ "name": "projects/p/messages/0:123…" }`. */
function nameOf(text: string): string | undefined {
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}
