import type {
  CampaignAction,
  CampaignDefinition,
  ConsentChannel,
  ConsentPurpose,
  FrequencyCap,
  StepWait,
} from "@regulars/contracts";
import { capRefusing, type PreviousSend } from "./caps.ts";
import { type ConsentChoice, consentRefusal, requiredPurposes, type SegmentUsesBehaviour } from "./consent.ts";
import { isInControlGroup } from "./control-group.ts";
import { deliveryZone, scheduledSendAt } from "./delivery.ts";
import { addLocalDays, HOUR_MS, MINUTE_MS } from "./local-time.ts";
import { stepKey } from "./step-key.ts";

/** Why a step does not run, for the store, the admin and the campaign's results. */
export type SkipReason =
  | "campaign_inactive"
  | "not_in_audience"
  | "already_received"
  | "too_soon"
  | "control_group"
  | "no_consent"
  /** The campaign chooses its audience from behaviour and the customer refused profiling on the channel. */
  | "no_profiling_consent"
  | "no_address"
  | "capped";

/** Something worth knowing about a step that runs. */
export type StepNote = "quiet_hours_postponed";

export interface CampaignVersion {
  id: string;
  version: number;
  definition: CampaignDefinition;
}

export interface PlanCustomer {
  id: string;
  /** The customer's consent history or the choices in force; the latest per channel and purpose wins. */
  consents: readonly ConsentChoice[];
  /** Channels with somewhere to send: a push device, a phone number, an e-mail address. */
  reachable: Readonly<Record<ConsentChannel, boolean>>;
  /** The customer's own IANA zone, when known. */
  zone?: string | null | undefined;
  /** The segments the customer belongs to now; when given, a segment audience is checked against it. */
  segmentIds?: readonly string[] | undefined;
}

export interface PlanContext {
  /** The trigger occurrence: its name (from the matcher, the scan or the broadcast run) and when it fired. */
  occurrence: { key: string; at: Date };
  now: Date;
  zones: { location?: string | null | undefined; tenant: string };
  /** The customer's messages from every campaign, sent or queued, with their step keys: what caps count. */
  previousSends: readonly PreviousSend[];
  /** This campaign's earlier occurrences for the customer (held-out ones included). */
  history: readonly { occurrence: string; at: Date }[];
  /** The tenant's own caps, which hold for every campaign beside the campaign's. */
  tenantCaps?: readonly FrequencyCap[] | undefined;
  /**
   * Whether each segment the campaign names reads behaviour, by its definition now (planning's): profiling consent is
   * asked only then. Every segment counts as behavioural when absent.
   */
  segmentUsesBehaviour?: SegmentUsesBehaviour | undefined;
  /** The campaign whose doing started this occurrence chose the customer by behaviour (`causeChoseByBehaviour`). */
  causeChoseByBehaviour?: boolean | undefined;
}

export interface PlannedStep {
  index: number;
  key: string;
  action: CampaignAction;
  /** When the step runs, or would have run had it not been skipped (the control group's reference time). */
  runAt: Date;
  /**
   * The IANA zone it was timed in (`deliveryZone`: the customer's, the location's or the tenant's): a message keeps
   * it, so the check before sending reads quiet hours on the clock planning used.
   */
  zone: string;
  status: "run" | "skipped";
  reason: SkipReason | null;
  notes: StepNote[];
}

function afterWait(ms: number, wait: StepWait | undefined, zone: string): number {
  if (!wait) return ms;
  if (wait.unit === "days") return addLocalDays(ms, wait.amount, zone);
  return ms + wait.amount * (wait.unit === "hours" ? HOUR_MS : MINUTE_MS);
}

/** A reason that refuses the whole occurrence, before any step is looked at. */
function occurrenceRefusal(campaign: CampaignVersion, customer: PlanCustomer, ctx: PlanContext): SkipReason | null {
  const d = campaign.definition;
  if (d.status !== "active") return "campaign_inactive";
  if (d.audience.kind === "segment" && customer.segmentIds && !customer.segmentIds.includes(d.audience.segmentId))
    return "not_in_audience";
  // The same occurrence planned again (a redelivery) is not an earlier one: it gets the same keys.
  const earlier = ctx.history.filter((h) => h.occurrence !== ctx.occurrence.key);
  const perCustomer = d.limits.perCustomer;
  if (perCustomer.mode === "once" && earlier.length > 0) return "already_received";
  if (perCustomer.mode === "repeatable") {
    const gap = perCustomer.minGapHours * HOUR_MS;
    const at = ctx.occurrence.at.getTime();
    if (earlier.some((h) => Math.abs(at - h.at.getTime()) < gap)) return "too_soon";
  }
  return null;
}

/**
 * A held-out customer's steps, planned as if treated: held out (every step `control_group`) only when some step would
 * have run. One the campaign could not have reached keeps the reasons a treated one gets, so results compare the
 * reachable treated with the reachable held out rather than with everyone held out.
 */
function holdOut(campaign: CampaignVersion, customer: PlanCustomer, steps: PlannedStep[]): PlannedStep[] {
  const share = campaign.definition.controlGroup?.share;
  if (share === undefined || !isInControlGroup(campaign.id, customer.id, share)) return steps;
  if (!steps.some((s) => s.status === "run")) return steps;
  return steps.map((s) => ({ ...s, status: "skipped", reason: "control_group" }));
}

/**
 * The steps to run for one customer and one trigger occurrence, in order, each with its idempotency key and
 * time. The whole occurrence is refused first (status, audience, once-only or gap); then each message on its own
 * (consent, an address, frequency caps), so a push without consent does not keep the coupon after it from the
 * wallet; last the control group holds out whom some step would have reached (`holdOut`). Pure: planning the same
 * occurrence again gives the same keys, and the store's unique key on them makes a redelivery, a crash or a second
 * instance a no-op.
 */
export function planActions(campaign: CampaignVersion, customer: PlanCustomer, ctx: PlanContext): PlannedStep[] {
  const d = campaign.definition;
  const zone = deliveryZone(d.delivery.zone, { customer: customer.zone, ...ctx.zones });
  const refusal = occurrenceRefusal(campaign, customer, ctx);
  const caps = [...d.limits.frequencyCaps, ...(ctx.tenantCaps ?? [])];
  const purposes = requiredPurposes(d, ctx.segmentUsesBehaviour, ctx.causeChoseByBehaviour);
  const keys = d.actions.map((_, stepIndex) =>
    stepKey({
      campaignId: campaign.id,
      version: campaign.version,
      customerId: customer.id,
      occurrence: ctx.occurrence.key,
      stepIndex,
    }),
  );
  // Planned again (a redelivery), the occurrence's own queued messages must not count against it.
  const others = ctx.previousSends.filter((s) => s.key === undefined || !keys.includes(s.key));
  const planned: PreviousSend[] = [];
  let cursor = Math.max(ctx.occurrence.at.getTime(), ctx.now.getTime());
  const steps = d.actions.map((action, index): PlannedStep => {
    const key = keys[index] as string;
    cursor = afterWait(cursor, action.wait, zone);
    const notes: StepNote[] = [];
    let reason = refusal;
    if (action.type === "send_message") {
      const send = scheduledSendAt(d.delivery.timing, new Date(cursor), zone, d.delivery.quietHours);
      cursor = send.at.getTime();
      if (send.quietHoursPostponed) notes.push("quiet_hours_postponed");
      reason ??= messageRefusal(action.channel, purposes, customer, caps, [...others, ...planned], send.at);
      if (reason === null) planned.push({ channel: action.channel, at: send.at });
    }
    return { index, key, action, runAt: new Date(cursor), zone, status: reason ? "skipped" : "run", reason, notes };
  });
  return holdOut(campaign, customer, steps);
}

/**
 * Whether a message may go out now: consent in force for each of `purposes` (`requiredPurposes` of its campaign), an
 * address, and every cap. The sender asks again right before handing a queued message to the provider, since the
 * customer may have withdrawn consent, or other campaigns may have used the cap, since it was planned.
 * `previousSends` must not include this message.
 */
export function messageRefusal(
  channel: ConsentChannel,
  purposes: readonly ConsentPurpose[],
  customer: Pick<PlanCustomer, "consents" | "reachable">,
  caps: readonly FrequencyCap[],
  previousSends: readonly PreviousSend[],
  at: Date,
): SkipReason | null {
  const refusal = consentRefusal(channel, purposes, customer.consents);
  if (refusal) return refusal;
  if (!customer.reachable[channel]) return "no_address";
  if (capRefusing(caps, previousSends, at, channel)) return "capped";
  return null;
}
