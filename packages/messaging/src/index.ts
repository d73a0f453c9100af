// Messages for every channel, as pure functions: templates (Liquid, strict, checked when saved), the
// language a customer gets, link tracking with signed tokens, SMS length, the provider interface and its
// typed failures (and the redaction of personal data a provider's words quote), the retry policy and delivery
// statuses. Providers that do I/O live in `@regulars/messaging-providers`.
export { EmailAddress, isDeliverableAddress, SmsAddress } from "./address.ts";
export { Channel, LanguageTag } from "./channels.ts";
export { type ComposedMessage, composeMessage } from "./compose.ts";
export { chooseTemplate } from "./language.ts";
export { siteOfLink } from "./link-site.ts";
export { LinkSigningSecrets, makeLinkToken, makeOpenToken, type VerifiedLink, verifyLinkToken } from "./link-token.ts";
export { renderLimits, type TemplateIssue } from "./liquid.ts";
export { EmailMessage, OutgoingMessage, PushDevice, PushMessage, SmsMessage } from "./message.ts";
export { redactPersonalData } from "./personal-data.ts";
export {
  type MessageProvider,
  SendFailure,
  SendFailureCode,
  type SendOptions,
  type SendResult,
  sendFailure,
} from "./provider.ts";
export { type RenderedContent, type RenderOptions, renderTemplate } from "./render.ts";
export { afterFailure, defaultRetryPolicy, type RetryDecision, RetryPolicy } from "./retry.ts";
export { type SmsLength, smsLength } from "./sms-length.ts";
export { DeliveryEvent, DeliveryStatus, laterStatus } from "./status.ts";
export {
  EmailTemplate,
  MessageTemplate,
  type MessageTemplateInput,
  PushTemplate,
  SmsTemplate,
} from "./template.ts";
export {
  addOpenPixel,
  LinkTracking,
  type LinkTrackingInput,
  type Tracker,
  trackHtmlLinks,
  trackingUrl,
  trackLinks,
  trackTextLinks,
  type WrittenLinks,
  writtenLinks,
} from "./tracked-links.ts";
export { templateIssues, templateSetIssues, validateTemplate, validateTemplateSet } from "./validate.ts";
export { isKnownVariable, MessageVariables } from "./variables.ts";
