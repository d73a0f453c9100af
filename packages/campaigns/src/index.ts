// Campaigns as pure functions: which events start a campaign, the control group, when a message goes out
// (local time, quiet hours, DST), frequency caps, consent, the steps to run with their idempotency keys,
// broadcast schedules and results arithmetic. No I/O and no clock: instants and zones come in as arguments.
// The definition's schema lives in `@regulars/contracts` (`CampaignDefinition`).

export {
  broadcastRunMissed,
  LATE_BROADCAST_RUN_GRACE_MS,
  nextBroadcastRunAfterLast,
  nextBroadcastRuns,
} from "./broadcast.ts";
export { causeDepthAfter, causingCampaignOf, hearsCause, MAX_CAUSE_DEPTH } from "./campaign-causes.ts";
export { capAllows, capRefusing, type PreviousSend } from "./caps.ts";
export {
  birthdayOccurrence,
  birthdayOccurrenceOn,
  birthdaysDue,
  birthdaysDueOn,
  type ClockOccurrence,
  daysToScan,
  inactiveSince,
  inactivityOccurrence,
  isBirthdayOn,
  SCAN_CATCH_UP_DAYS,
  scanWindow,
} from "./clock-triggers.ts";
export { conditionHolds, conditionsHold, fieldAt } from "./conditions.ts";
export {
  type CampaignTargeting,
  type CausingCampaign,
  type ConsentChoice,
  causeChoseByBehaviour,
  choosesByBehaviour,
  consentAllows,
  consentAllowsGranted,
  consentInForce,
  consentRefusal,
  PROFILING_BY_CAUSE,
  requiredPurposes,
  type SegmentUsesBehaviour,
  segmentsUsingBehaviour,
  targetedSegmentIds,
} from "./consent.ts";
export { holdoutPosition, isInControlGroup } from "./control-group.ts";
export {
  afterQuietHours,
  deliveryZone,
  inQuietHours,
  type KnownZones,
  LATE_LOCAL_TIME_GRACE_MS,
  lastLocalTimeSendAt,
  lateSendAt,
  nextLocalTime,
  type ScheduledSend,
  scheduledSendAt,
} from "./delivery.ts";
export {
  canEdit,
  canMove,
  messageDueAtPlanning,
  queuedStepFate,
  REMOVED_BY_EDIT,
  sendingStatuses,
} from "./lifecycle.ts";
export { isKnownZone } from "./local-time.ts";
export {
  type CampaignVersion,
  messageRefusal,
  type PlanContext,
  type PlanCustomer,
  type PlannedStep,
  planActions,
  type SkipReason,
  type StepNote,
} from "./plan.ts";
export {
  conversionUplift,
  type GroupConversions,
  type MessageCounts,
  type MessageRates,
  messageRates,
  rate,
  type Uplift,
} from "./results.ts";
export { type StepKeyParts, stepKey } from "./step-key.ts";
export { readTargeting } from "./targeting.ts";
export type { SavedAudience, TriggerFacts, TriggerMatch } from "./triggers.ts";
export {
  alwaysOnStartOccurrence,
  alwaysOnStartPass,
  announcedExpiryOf,
  broadcastOccurrence,
  expiringOccurrence,
  expiryWarningTooLate,
  matchesTrigger,
  matchTrigger,
  NO_LONGER_DUE,
} from "./triggers.ts";
