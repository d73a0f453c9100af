import type { Channel, MessageProvider } from "@regulars/messaging";
import { z } from "zod";
import { DevelopmentProviderConfig, type DevMessageSink, developmentProvider } from "./development.ts";
import { FcmProviderConfig, type FcmProviderOptions, fcmProvider } from "./fcm.ts";
import { HttpSmsProviderConfig, httpSmsProvider } from "./http-sms.ts";
import { SmtpProviderConfig, smtpProvider } from "./smtp.ts";
import { WebPushProviderConfig, type WebPushProviderOptions, webPushProvider } from "./web-push.ts";
import { WebhookProviderConfig, webhookProvider } from "./webhook.ts";

/** A provider's configuration as an app reads it from its settings, checked once at start. */
export const ProviderConfig = z.discriminatedUnion("kind", [
  DevelopmentProviderConfig,
  SmtpProviderConfig,
  HttpSmsProviderConfig,
  WebPushProviderConfig,
  FcmProviderConfig,
  WebhookProviderConfig,
]);
export type ProviderConfig = z.infer<typeof ProviderConfig>;

// Fields holding credentials, by name wherever they sit in a configuration.
const secretFields = new Set(["pass", "value", "privateKey", "accessToken", "secret"]);

/** A configuration fit for a log line or an admin screen: every credential replaced by `[redacted]`. */
export function redactedConfig(config: ProviderConfig): unknown {
  const redact = (value: unknown, key?: string): unknown => {
    if (key && secretFields.has(key)) return "[redacted]";
    if (Array.isArray(value)) return value.map((v) => redact(v));
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
    return value;
  };
  return redact(config);
}

export interface ProviderDependencies {
  /** Where the development provider records messages. */
  devSink: DevMessageSink;
  fcm?: FcmProviderOptions;
  /** Which browser push endpoints may be called; https to public hosts only when absent. */
  webPush?: WebPushProviderOptions;
  /** How long the caller waits for a send (the sender's timeout): the provider's own timeout is kept below it. */
  sendTimeoutMs?: number;
}

/** Of the caller's time, what a provider's own timeout may take; the rest is its work around the request. */
const providerShare = 0.8;
const shortestProviderTimeoutMs = 100;

/**
 * A provider's own timeout ends a send it can still end (the HTTP request aborted, an idle SMTP connection dropped)
 * and answers a failure. One as long as the caller's lets the caller give up first and retry a send the provider
 * then completes anyway: the customer gets it twice. A longer one is shortened rather than refused, so a start
 * with the providers' default timeouts and a short send timeout works.
 */
function withinSendTimeout(config: ProviderConfig, sendTimeoutMs: number | undefined): ProviderConfig {
  if (sendTimeoutMs === undefined || !("timeoutMs" in config)) return config;
  const longest = Math.floor(sendTimeoutMs * providerShare);
  if (longest < shortestProviderTimeoutMs)
    throw new Error(
      `a send timeout of ${sendTimeoutMs} ms leaves the ${config.kind} provider less than its shortest timeout ` +
        `(${shortestProviderTimeoutMs} ms): give sends at least ${shortestProviderTimeoutMs / providerShare} ms`,
    );
  return { ...config, timeoutMs: Math.min(config.timeoutMs, longest) };
}

export function createProvider(
  input: z.input<typeof ProviderConfig>,
  deps: ProviderDependencies,
): MessageProvider<Channel> {
  const config = withinSendTimeout(ProviderConfig.parse(input), deps.sendTimeoutMs);
  // Each provider narrows the channels it takes; callers route by `channels` before sending.
  const widen = <C extends Channel>(p: MessageProvider<C>) => p as unknown as MessageProvider<Channel>;
  switch (config.kind) {
    case "development":
      return developmentProvider({ sink: deps.devSink });
    case "smtp":
      return widen(smtpProvider(config));
    case "http-sms":
      return widen(httpSmsProvider(config));
    case "web-push":
      return widen(webPushProvider(config, deps.webPush));
    case "fcm":
      return widen(fcmProvider(config, deps.fcm));
    case "webhook":
      return webhookProvider(config);
  }
}
