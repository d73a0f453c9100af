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
}

export function createProvider(
  input: z.input<typeof ProviderConfig>,
  deps: ProviderDependencies,
): MessageProvider<Channel> {
  const config = ProviderConfig.parse(input);
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
