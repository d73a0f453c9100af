import type { SavedAudience } from "@regulars/campaigns";
import { CampaignAudience } from "@regulars/contracts";
import { type Db, sqlArray } from "@regulars/db";

/**
 * The audiences a campaign's versions up to `version` saved, for `alwaysOnStartPass`. A version whose audience does
 * not parse is left out: it cannot have been planned with, and the versions around it still say when theirs came.
 */
export async function savedAudiences(db: Db, campaignId: string, version: number): Promise<SavedAudience[]> {
  const rows = await db.$queryRaw<{ version: number; created_at: Date; audience: unknown }[]>`
    SELECT version, created_at, definition->'audience' AS audience FROM campaign_versions
    WHERE campaign_id = ${campaignId} AND version <= ${version}`;
  return rows.flatMap((r) => {
    const audience = CampaignAudience.safeParse(r.audience);
    return audience.success ? [{ version: r.version, savedAt: r.created_at, audience: audience.data }] : [];
  });
}

/**
 * The members of a page the campaign never enrolled (entered or held out) under any occurrence: a changed audience's
 * start pass is for those the campaign did not reach, so a customer in the old audience and the new one gets it once
 * whatever the per-customer limit (a `repeatable` campaign would otherwise take the change for a second entry).
 * One statement per page on the unique index's (campaign, customer) prefix.
 */
export async function* notYetEnrolled(
  db: Db,
  campaignId: string,
  pages: AsyncIterable<string[]>,
): AsyncGenerator<string[]> {
  for await (const page of pages) {
    if (!page.length) continue;
    const enrolled = await db.$queryRaw<{ customer_id: string }[]>`
      SELECT DISTINCT customer_id FROM campaign_enrolments
      WHERE campaign_id = ${campaignId} AND customer_id = ANY(${sqlArray(page)}::text[])
        AND outcome IN ('entered', 'control')`;
    const known = new Set(enrolled.map((r) => r.customer_id));
    yield page.filter((id) => !known.has(id));
  }
}
