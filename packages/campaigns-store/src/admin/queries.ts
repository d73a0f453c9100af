import { CampaignDefinition, type CampaignStatus, type CampaignTriggerType } from "@regulars/contracts";
import type { CampaignModel, Db, DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";

/** A campaign in a list: what its row says, without the definition. */
export interface CampaignSummary {
  id: string;
  name: string;
  status: CampaignStatus;
  triggerType: CampaignTriggerType;
  version: number;
  nextRunAt: string | null;
  startedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignVersionSummary {
  version: number;
  createdBy: string;
  createdAt: string;
}

/**
 * A campaign with its current definition. The definition's `status` is the campaign's status now: status
 * moves change the row, not the saved versions, so a pause does not make a new version (steps name versions).
 */
export interface CampaignView extends CampaignSummary {
  definition: CampaignDefinition;
  versions: CampaignVersionSummary[];
}

export const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toCampaignSummary(row: CampaignModel): CampaignSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status as CampaignStatus,
    triggerType: row.triggerType as CampaignTriggerType,
    version: row.version,
    nextRunAt: iso(row.nextRunAt),
    startedAt: iso(row.startedAt),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function currentDefinition(
  db: Db | DbTx,
  campaignId: string,
  version: number,
): Promise<CampaignDefinition> {
  const saved = await db.campaignVersion.findUnique({ where: { campaignId_version: { campaignId, version } } });
  // Stored definitions were parsed when saved; parsing again fills defaults a later shape may have added.
  return CampaignDefinition.parse(saved!.definition);
}

export async function getCampaign(db: Db, tenantId: string, id: string): Promise<CampaignView> {
  const row = await db.campaign.findFirst({ where: { id, tenantId } });
  if (!row) throw new DomainError("not_found", `no campaign ${id}`, [{ path: "id", message: "no such campaign" }]);
  const [definition, versions] = await Promise.all([
    currentDefinition(db, id, row.version),
    campaignVersions(db, tenantId, id),
  ]);
  const summary = toCampaignSummary(row);
  return { ...summary, definition: { ...definition, status: summary.status }, versions };
}

/** Every saved version, newest first. */
export async function campaignVersions(db: Db, tenantId: string, id: string): Promise<CampaignVersionSummary[]> {
  const rows = await db.$queryRaw<{ version: number; created_by: string; created_at: Date }[]>`
    SELECT v.version, v.created_by, v.created_at FROM campaign_versions v
    JOIN campaigns c ON c.id = v.campaign_id
    WHERE c.id = ${id} AND c.tenant_id = ${tenantId}
    ORDER BY v.version DESC`;
  if (!rows.length)
    throw new DomainError("not_found", `no campaign ${id}`, [{ path: "id", message: "no such campaign" }]);
  return rows.map((r) => ({ version: r.version, createdBy: r.created_by, createdAt: r.created_at.toISOString() }));
}

/** One saved version's definition as it was saved (its status is the one it was saved with). */
export async function campaignVersion(db: Db, tenantId: string, id: string, version: number) {
  const row = await db.campaign.findFirst({ where: { id, tenantId }, select: { id: true } });
  const saved =
    row && (await db.campaignVersion.findUnique({ where: { campaignId_version: { campaignId: id, version } } }));
  if (!saved)
    throw new DomainError("not_found", `campaign ${id} has no version ${version}`, [
      { path: "version", message: "no such version" },
    ]);
  return {
    version,
    createdBy: saved.createdBy,
    createdAt: saved.createdAt.toISOString(),
    definition: CampaignDefinition.parse(saved.definition),
  };
}

export interface ListCampaignsInput {
  status?: CampaignStatus[];
  triggerType?: CampaignTriggerType[];
  limit: number;
  /** The last id of the previous page. */
  cursor?: string | null;
}

/** Newest first, a page at a time (ids sort by creation time). */
export async function listCampaigns(db: Db, tenantId: string, input: ListCampaignsInput) {
  const rows = await db.campaign.findMany({
    where: {
      tenantId,
      ...(input.status?.length ? { status: { in: input.status } } : {}),
      ...(input.triggerType?.length ? { triggerType: { in: input.triggerType } } : {}),
      ...(input.cursor ? { id: { lt: input.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toCampaignSummary),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
