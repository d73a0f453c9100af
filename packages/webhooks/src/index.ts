// @regulars/webhooks: pure rules of outbound webhooks (Standard Webhooks): which events may be subscribed to and
// who receives them, when a failed delivery is retried, the body and its signature, which URLs are accepted.

export { type DisablePolicy, defaultDisablePolicy, type FailureStreak, shouldDisable } from "./endpoint-health.ts";
export { type EndpointUrlPolicy, endpointUrlProblem, isPrivateHost, strictUrlPolicy } from "./endpoint-url.ts";
export { envelopeOf, pingEnvelope, type WebhookEnvelope } from "./envelope.ts";
export {
  isDeliverableType,
  openEventGroups,
  pingEventType,
  subscribes,
  subscriptionProblem,
  webhookEventTypes,
} from "./event-types.ts";
export { backoffMs, defaultRetrySchedule, nextAttemptAt, type RetrySchedule } from "./retry-schedule.ts";
export { isWebhookSecret, newWebhookSecret, type SignedHeaders, signedHeaders } from "./signing.ts";
