// @regulars/campaigns-store: campaigns in Postgres. Their definitions, versions and lifecycle (admin), message
// templates, who entered a campaign and the steps run for them (runner), and results. The rules are
// `@regulars/campaigns`'s; messages themselves are `@regulars/messages-store`'s.

export {
  ActiveCampaignCache,
  loadCampaigns,
  type RunnableCampaign,
} from "./runner/active-campaigns.ts";
export {
  type ClaimedStep,
  claimDueSteps,
  type RetryPolicy,
  recordStepFailure,
  stepRetryPolicy,
} from "./runner/claim.ts";
export {
  type EnrolInput,
  type EnrolResult,
  enrolmentId,
  enrolOccurrences,
  type OccurrenceEntry,
} from "./runner/enrol.ts";
export { loadPlanInputs, type PlanInputs } from "./runner/plan-inputs.ts";
export {
  type CampaignMessageRequest,
  type QueueCampaignMessage,
  runStep,
  type StepEffects,
  type StepOutcome,
} from "./runner/run-step.ts";
export {
  runCampaignSchedules,
  runDueBroadcasts,
  type ScheduleContext,
  type ScheduleResult,
  scanClockTriggers,
  startAlwaysOnCampaigns,
} from "./runner/schedules.ts";
export { enrolFromEvent } from "./runner/triggers.ts";
export { customerMessageVariables, type VariableExtras } from "./templates/variables.ts";
