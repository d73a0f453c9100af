// @regulars/messages-store: every message to a customer in Postgres. Rendering and queueing, the senders'
// claims, delivery results and statuses, opens and clicks. The rules are `@regulars/messaging`'s.
export {
  type CampaignMessageInput,
  type MessageInput,
  type QueueOptions,
  type QueueResult,
  queueCampaignMessage,
  queueMessage,
} from "./queue.ts";
export {
  clickTracking,
  MessageTracking,
  type MessageTrackingInput,
  openPixelBase,
  trackingPaths,
} from "./tracking.ts";
export { basicMessageVariables } from "./variables.ts";
