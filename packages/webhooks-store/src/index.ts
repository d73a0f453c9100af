// @regulars/webhooks-store: tenants' webhook endpoints and the deliveries of domain events to them (Postgres):
// fan-out with idempotency keys, claims for senders, attempts' results, disabling, replays.
export { type ClaimedDelivery, type ClaimOptions, claimDueDeliveries } from "./claim.ts";
export {
  type DeliveryStatus,
  deliveredRetentionMs,
  enqueuePing,
  failedRetentionMs,
  listDeliveries,
  pruneDeliveries,
  replayDelivery,
  replayFailedDeliveries,
  type WebhookDelivery,
} from "./deliveries.ts";
export {
  applyEndpointStatus,
  createEndpoint,
  deleteEndpoint,
  disabledError,
  type EndpointInput,
  type EndpointStatusChange,
  getEndpoint,
  listEndpoints,
  maxEndpointsPerTenant,
  previousSecretGraceMs,
  rotateSecret,
  setEndpointStatus,
  updateEndpoint,
  type WebhookEndpoint,
} from "./endpoints.ts";
export { enqueueDeliveries, type FanOutEvent } from "./fan-out.ts";
export {
  type AttemptResult,
  type RecordedOutcome,
  type ResultOptions,
  recordAttempt,
  recordDelivered,
  systemActor,
} from "./results.ts";
