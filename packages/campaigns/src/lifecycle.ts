import { CampaignStatus } from "@regulars/contracts";
import type { PlannedStep } from "./plan.ts";

/**
 * The moves between statuses an admin may make. `scheduled` is a broadcast waiting for its first run (the
 * scheduler makes it `active` when the run starts); `paused` is resumable; `archived` is final, so a campaign's
 * results never change under an old campaign being revived with a new meaning (copy it instead).
 */
const moves: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ["scheduled", "active", "archived"],
  scheduled: ["draft", "active", "paused", "archived"],
  active: ["paused", "archived"],
  paused: ["active", "archived"],
  archived: [],
};

export const canMove = (from: CampaignStatus, to: CampaignStatus): boolean => moves[from].includes(to);

/** Whether a new version of the definition may be saved: anything but an archived campaign. */
export const canEdit = (status: CampaignStatus): boolean => status !== "archived";

/**
 * What the step runner does with a step already planned when its time comes, by the campaign's status now:
 * `run` while active; `hold` while paused (it runs after a resume, or is cancelled by archiving); `cancel` once
 * archived or sent back to draft. A pause must not lose the coupons and messages customers were promised.
 */
export function queuedStepFate(status: CampaignStatus): "run" | "hold" | "cancel" {
  if (status === "active") return "run";
  if (status === "paused" || status === "scheduled") return "hold";
  return "cancel";
}

/**
 * The statuses whose messages go out when due. Only theirs take a frequency-cap slot, at planning as at the send
 * check: a paused campaign's wait and are checked again when it resumes, an archived one's never go, and counting
 * them would skip a running campaign's message for a send that never happens.
 */
export const sendingStatuses: readonly CampaignStatus[] = CampaignStatus.options.filter(
  (s) => queuedStepFate(s) === "run",
);

/**
 * Why a planned step did nothing: the campaign was saved anew since it was planned, and the current version has no
 * step at its position or one of another kind there (points where a coupon was, another channel).
 */
export const REMOVED_BY_EDIT = "removed_by_edit";

/**
 * The message an enrolment can queue while it is being planned: its first step that runs is a message due by
 * `now` (steps before it, if any, skipped), so nothing it waits for (a coupon to show) is still to happen. Queued
 * in the planning transaction, a broadcast's messages skip a round through the step executor; every other step is
 * left to the executor.
 */
export function messageDueAtPlanning<S extends Pick<PlannedStep, "index" | "status" | "action" | "runAt">>(
  steps: readonly S[],
  now: Date,
): S | null {
  const first = [...steps].sort((a, b) => a.index - b.index).find((s) => s.status === "run");
  if (first?.action.type !== "send_message") return null;
  return first.runAt.getTime() <= now.getTime() ? first : null;
}
