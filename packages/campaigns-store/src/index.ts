// @regulars/campaigns-store: campaigns in Postgres. Their definitions, versions and lifecycle (admin), message
// templates, who entered a campaign and the steps run for them (runner), and results. The rules are
// `@regulars/campaigns`'s; messages themselves are `@regulars/messages-store`'s.

export { createCampaign, parseDefinition, setCampaignStatus, updateCampaign } from "./admin/campaigns.ts";
export {
  type CampaignSummary,
  type CampaignVersionSummary,
  type CampaignView,
  campaignVersion,
  campaignVersions,
  getCampaign,
  type ListCampaignsInput,
  listCampaigns,
} from "./admin/queries.ts";
export { checkReferences } from "./admin/references.ts";
export { type StatusContext, type StatusFields, statusFields } from "./admin/status.ts";
export { type ListMessagesInput, listMessages, type MessageSummary } from "./results/messages.ts";
export { type CampaignResults, campaignResults, type ResultsDeps } from "./results/results.ts";
export type { SkippedMessages } from "./results/skipped.ts";
export {
  ActiveCampaignCache,
  loadCampaigns,
  type OnUnreadableCampaign,
  type RunnableCampaign,
  type UnreadableCampaign,
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
  isBatchableMessageStep,
  type QueueCampaignMessages,
  runMessageSteps,
} from "./runner/run-message-steps.ts";
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
export { settleSkippedEnrolments, settleSkippedEnrolmentsOfMessages } from "./runner/settle-skipped.ts";
export { enrolFromEvent } from "./runner/triggers.ts";
export { type PreviewInput, previewTemplate, sampleCoupon, type TemplatePreview } from "./templates/preview.ts";
export {
  archiveTemplate,
  checkVariants,
  createTemplate,
  getTemplate,
  type ListTemplatesInput,
  listTemplates,
  type MessageTemplateView,
  type TemplateInput,
  type TemplatePatch,
  updateTemplate,
} from "./templates/templates.ts";
export { customerMessageVariables, customersMessageVariables, type VariableExtras } from "./templates/variables.ts";
