import { type MessageProvider, type PushMessage, sendFailure } from "@regulars/messaging";
import { type EndpointUrlPolicy, strictUrlPolicy } from "@regulars/webhooks";
import webpush from "web-push";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";
import { checkEndpoint, type Resolve } from "./endpoint-check.ts";
import { failureText } from "./failure-text.ts";
import { postToProvider } from "./http.ts";

export const WebPushProviderConfig = z.object({
  kind: z.literal("web-push"),
  vapid: z.object({
    /** Who to contact about this sender: a `mailto:` or `https:` address, sent to push services in the VAPID claims. */
    subject: z.string().regex(/^(mailto:|https:\/\/)/, "a mailto: or https: address"),
    /** The application server key pair (URL-safe base64), as `web-push generate-vapid-keys` prints it. */
    publicKey: z.string().min(80),
    privateKey: z.string().min(40),
  }),
  /** How long a push service keeps the notification for an offline browser. */
  ttlSeconds: z.number().int().min(0).max(2_419_200).default(86_400),
  urgency: z.enum(["very-low", "low", "normal", "high"]).default("normal"),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type WebPushProviderConfig = z.infer<typeof WebPushProviderConfig>;

export interface WebPushProviderOptions {
  /**
   * Which push endpoints may be called. Strict by default (https to public hosts): the endpoint comes from the
   * customer's device, so anyone can register one pointing at our own network. Development and tests, whose
   * fake push services listen on localhost over http, pass the app's WEBHOOK_ALLOW_PRIVATE_URLS here.
   */
  urlPolicy?: EndpointUrlPolicy;
  /** How endpoint names are resolved, for the check and when connecting: the system's resolver when absent. */
  resolve?: Resolve;
}

/** A browser's PushSubscription, as the app stored it in the device's token. */
const Subscription = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  keys: z.object({ p256dh: z.string().min(1), auth: z.string().min(1) }),
});

/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and an encrypted payload (RFC 8291, aes128gcm). `web-push` builds
 * the request (the signed VAPID header and the encrypted body); it is sent with the same HTTP path as the
 * other providers, so timeouts and statuses are classified in one place. 404 and 410 from a push service
 * mean the subscription is gone: the device should be forgotten, not retried. The endpoint is checked against
 * `urlPolicy` (and where its name resolves) before anything is sent to it.
 */
export function webPushProvider(
  configInput: z.input<typeof WebPushProviderConfig>,
  options: WebPushProviderOptions = {},
): MessageProvider<"push"> {
  const config = WebPushProviderConfig.parse(configInput);
  const urlPolicy = options.urlPolicy ?? strictUrlPolicy;
  return {
    name: "web-push",
    channels: ["push"],
    async send(input) {
      const checked = checkedMessage(input, ["push"]);
      if (!checked.ok) return checked;
      const message: PushMessage = checked.message;
      if (message.to.platform !== "web")
        return {
          ok: false,
          failure: sendFailure("unsupported", `web push cannot reach a ${message.to.platform} device`),
        };
      const subscription = Subscription.safeParse(parseJson(message.to.token));
      if (!subscription.success)
        return { ok: false, failure: sendFailure("unsupported", "the device token is not a push subscription") };
      const endpoint = await checkEndpoint(subscription.data.endpoint, urlPolicy, options.resolve);
      if ("refused" in endpoint)
        return { ok: false, failure: sendFailure("unsupported", `the push endpoint ${endpoint.refused}`) };
      if ("unresolved" in endpoint)
        return { ok: false, failure: sendFailure("unreachable", `the push endpoint ${endpoint.unresolved}`) };
      const payload = JSON.stringify({
        id: message.id,
        title: message.title,
        body: message.body,
        ...(message.url ? { url: message.url } : {}),
        ...(message.data ? { data: message.data } : {}),
      });
      let request: webpush.RequestDetails;
      try {
        request = webpush.generateRequestDetails(subscription.data, payload, {
          vapidDetails: config.vapid,
          TTL: config.ttlSeconds,
          urgency: config.urgency,
          contentEncoding: "aes128gcm",
        });
      } catch (e) {
        // Invalid subscription keys (or a payload too large): the same message would fail the same way.
        return { ok: false, failure: sendFailure("rejected", failureText(`web push: ${(e as Error).message}`)) };
      }
      const answer = await postToProvider({
        url: request.endpoint,
        headers: request.headers as Record<string, string>,
        body: new Uint8Array(request.body ?? []),
        timeoutMs: config.timeoutMs,
        goneStatuses: [404, 410],
        secrets: [config.vapid.privateKey],
        endpoint: { policy: urlPolicy, ...(options.resolve ? { resolve: options.resolve } : {}) },
      });
      if (!answer.ok) return answer;
      // Push services name the message they accepted in Location; not all do.
      return { ok: true, providerMessageId: answer.headers.get("location") ?? message.id };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
