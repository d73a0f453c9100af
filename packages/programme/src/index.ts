// @regulars/programme: a tenant's loyalty programme as versions: which one is in force at an instant (one
// rule, `versionInForce`, used by the ledger's cache and the API alike), changes as new audited versions, and
// what a basket would earn. The API, the CLI and the workers all go through here.
export { ProgrammeCache, programmeInForce } from "./cache.ts";
export {
  CANCEL_ACTION,
  type CancelledVersion,
  cancelScheduledVersion,
  type ProgrammeCancellation,
} from "./cancel.ts";
export * as edits from "./edits.ts";
export { type Caps, type ProgrammeEdit, validateProgramme } from "./edits.ts";
export { EFFECTIVE_FROM_FORMS, effectiveFromIn, tenantLocalTime } from "./effective-from.ts";
export { DEFAULT_VERSION, versionInForce } from "./in-force.ts";
export {
  type AppliedEdit,
  type ChangeTiming,
  type PlannedVersion,
  planChange,
  refuseOverwritingScheduled,
  ScheduledAhead,
} from "./plan-change.ts";
export { simulateEarning } from "./simulate.ts";
export {
  type ProgrammeInForce,
  type ProgrammeVersionSummary,
  type ProgrammeVersionView,
  SimulateInput,
} from "./types.ts";
export {
  changeProgramme,
  firstVersion,
  listVersions,
  type ProgrammeChange,
  programmeAt,
  programmeVersion,
} from "./versions.ts";
