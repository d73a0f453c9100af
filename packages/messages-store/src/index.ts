// @regulars/messages-store: every message to a customer in Postgres. Rendering and queueing, the senders'
// claims, delivery results and statuses, opens and clicks. The rules are `@regulars/messaging`'s.

export { type ClaimedMessage, claimDueMessages, type MessageClaimOptions } from "./claim.ts";
export {
  type DeliveryReceipt,
  type Engagement,
  type Reported,
  recordDeliveryReceipt,
  recordEngagement,
} from "./engagement.ts";
export { announceMessageEvents, type MessageEvent, type MessageRef, messageEvent } from "./events.ts";
export {
  type BatchQueueResult,
  type CampaignMessageInput,
  type MessageInput,
  type QueueOptions,
  type QueueResult,
  queueCampaignMessage,
  queueCampaignMessages,
  queueMessage,
  type VariablesLookup,
} from "./queue.ts";
export {
  type Recorded,
  recordCancelled,
  recordFailure,
  recordHeld,
  recordSent,
  recordSentMany,
  type SendOutcome,
  type SentMessage,
} from "./results.ts";
export { addressText, decideSend, decideSends, type SendCheckOptions, type SendDecision } from "./send-check.ts";
export {
  clickTracking,
  MessageTracking,
  type MessageTrackingInput,
  openPixelBase,
  trackingPaths,
} from "./tracking.ts";
export { queueTransactionalSms, spentTransactionalBody } from "./transactional.ts";
export { basicMessageVariables, basicMessageVariablesOf } from "./variables.ts";
