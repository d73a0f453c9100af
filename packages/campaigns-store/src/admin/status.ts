import { nextBroadcastRuns } from "@regulars/campaigns";
import type { CampaignDefinition, CampaignStatus } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";

/** The columns a status decides beside itself. */
export interface StatusFields {
  status: CampaignStatus;
  /** The next broadcast run: only while scheduled or active, so a paused broadcast is never due. */
  nextRunAt: Date | null;
  /** When it first became active; kept from then on. */
  startedAt: Date | null;
}

/**
 * What a campaign's row holds in `status`, given its definition: a broadcast that is scheduled or active gets
 * its next run after `now` in the tenant's zone (a resumed broadcast skips the runs it missed while paused).
 * Refuses `scheduled` for anything but a broadcast, and a move into `scheduled` or `active` of a broadcast whose
 * schedule has no run left, which would sit there forever. A new version of an active broadcast whose last run
 * is over (`moving` false) is saved with no next run.
 */
export function statusFields(
  definition: CampaignDefinition,
  status: CampaignStatus,
  startedAt: Date | null,
  zone: string,
  now: Date,
  moving = true,
): StatusFields {
  const trigger = definition.trigger;
  if (status === "scheduled" && trigger.type !== "broadcast")
    throw new DomainError("unprocessable", `only a broadcast is scheduled; a ${trigger.type} campaign is activated`, [
      { path: "status", message: "only a broadcast can be scheduled" },
    ]);
  let nextRunAt: Date | null = null;
  if (trigger.type === "broadcast" && (status === "scheduled" || status === "active")) {
    nextRunAt = nextBroadcastRuns(trigger.schedule, now, zone)[0] ?? null;
    if (!nextRunAt && moving)
      throw new DomainError("unprocessable", "the broadcast's schedule has no run after now", [
        { path: "trigger.schedule", message: "no run left after now: move the time or the end" },
      ]);
  }
  return { status, nextRunAt, startedAt: startedAt ?? (status === "active" ? now : null) };
}
