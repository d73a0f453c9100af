// The channel providers behind `MessageProvider` (from `@regulars/messaging`): SMTP e-mail, an HTTP SMS
// gateway, web push with VAPID, FCM-style push, a signed webhook to the brand's own service for any channel, and
// the development provider that records messages.
export { createProvider, ProviderConfig, type ProviderDependencies, redactedConfig } from "./config.ts";
export { devMessagesTableSink } from "./dev-messages-table.ts";
export {
  DevelopmentProviderConfig,
  type DevelopmentProviderOptions,
  type DevMessageSink,
  developmentProvider,
  memorySink,
  type RecordedMessage,
} from "./development.ts";
export {
  checkEndpoint,
  checkedLookup,
  type EndpointCheck,
  endpointFetch,
  type Resolve,
  refusedWhenConnecting,
  systemResolve,
} from "./endpoint-check.ts";
export { failureText } from "./failure-text.ts";
export { FcmProviderConfig, type FcmProviderOptions, fcmProvider } from "./fcm.ts";
export { HttpSmsProviderConfig, httpSmsProvider } from "./http-sms.ts";
export { SmtpProviderConfig, smtpProvider } from "./smtp.ts";
export { WebPushProviderConfig, type WebPushProviderOptions, webPushProvider } from "./web-push.ts";
export { type MessageSendPayload, WebhookProviderConfig, webhookProvider } from "./webhook.ts";
