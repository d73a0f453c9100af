import type { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";
import { programmeInForce } from "@regulars/programme";

/**
 * Everything a definition names must be the tenant's and usable when it is saved: coupon campaigns, segments,
 * message templates of the action's channel (not archived), the tier of a tier trigger. A typo found now is
 * a form error; found by the runner it would be a campaign that silently does nothing. One `invalid_request`
 * lists every problem by its path in the definition.
 */
export async function checkReferences(
  db: Db,
  tenantId: string,
  definition: CampaignDefinition,
  now: Date,
): Promise<void> {
  const couponIds = new Set<string>();
  const templateIds = new Set<string>();
  const segmentIds = new Set<string>();
  for (const action of definition.actions) {
    if (action.type === "issue_coupon") couponIds.add(action.couponCampaignId);
    if (action.type === "send_message") templateIds.add(action.templateId);
  }
  if (definition.audience.kind === "segment") segmentIds.add(definition.audience.segmentId);
  if (definition.trigger.type === "segment_entered") segmentIds.add(definition.trigger.segmentId);
  const trigger = definition.trigger;
  const tierId = trigger.type === "tier_reached" || trigger.type === "tier_gap" ? trigger.tierId : undefined;

  const [coupons, templates, segments, programme] = await Promise.all([
    db.couponCampaign.findMany({ where: { tenantId, id: { in: [...couponIds] } }, select: { id: true } }),
    db.messageTemplate.findMany({
      where: { tenantId, id: { in: [...templateIds] } },
      select: { id: true, channel: true, archivedAt: true },
    }),
    db.segment.findMany({ where: { tenantId, id: { in: [...segmentIds] } }, select: { id: true } }),
    tierId ? programmeInForce(db, tenantId, now) : null,
  ]);

  const issues: FieldIssue[] = [];
  for (const [i, action] of definition.actions.entries()) {
    if (action.type === "issue_coupon" && !coupons.some((c) => c.id === action.couponCampaignId))
      issues.push({ path: `actions.${i}.couponCampaignId`, message: `no coupon campaign ${action.couponCampaignId}` });
    if (action.type === "send_message") {
      const template = templates.find((t) => t.id === action.templateId);
      if (!template)
        issues.push({ path: `actions.${i}.templateId`, message: `no message template ${action.templateId}` });
      else if (template.archivedAt)
        issues.push({ path: `actions.${i}.templateId`, message: `message template ${action.templateId} is archived` });
      else if (template.channel !== action.channel)
        issues.push({
          path: `actions.${i}.templateId`,
          message: `message template ${action.templateId} is for ${template.channel}, not ${action.channel}`,
        });
    }
  }
  const hasSegment = (id: string) => segments.some((s) => s.id === id);
  if (definition.audience.kind === "segment" && !hasSegment(definition.audience.segmentId))
    issues.push({ path: "audience.segmentId", message: `no segment ${definition.audience.segmentId}` });
  if (definition.trigger.type === "segment_entered" && !hasSegment(definition.trigger.segmentId))
    issues.push({ path: "trigger.segmentId", message: `no segment ${definition.trigger.segmentId}` });
  if (tierId && !programme?.config.tiers?.levels.some((l) => l.id === tierId))
    issues.push({ path: "trigger.tierId", message: `the programme in force has no tier ${tierId}` });

  if (issues.length)
    throw new DomainError(
      "invalid_request",
      `the campaign cannot be saved: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
}
