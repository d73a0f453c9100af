import { CampaignDefinition, type CampaignStatus, type CampaignTriggerType } from "@regulars/contracts";
import type { CampaignModel, Db, DbTx } from "@regulars/db";
import { DomainError, type FieldIssue, issuesFromZod } from "@regulars/errors";

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

/** The shape of definition this release reads: `schemaVersion`'s default. */
const readableSchemaVersion: number = CampaignDefinition.shape.schemaVersion.parse(undefined);

/**
 * Why a stored definition cannot be read, as an admin reads it: a newer release's (mid-deploy) is readable once
 * that release is everywhere; anything else was saved before a schema change and runs again once saved anew.
 * The workers skip such a campaign until then (the runner's `loadCampaigns`); no status move to pause or archive
 * it needs the definition.
 */
function unreadableDefinition(campaignId: string, version: number, stored: unknown, issues: FieldIssue[]) {
  const schemaVersion = (stored as { schemaVersion?: unknown } | null)?.schemaVersion;
  const newer = typeof schemaVersion === "number" && schemaVersion > readableSchemaVersion;
  const fields = issues
    .slice(0, 3)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  const why = newer
    ? `was saved by a newer release (schema version ${schemaVersion}; this release reads ` +
      `${readableSchemaVersion}): it can be read once that release is deployed everywhere`
    : `does not fit this release's shape (${fields}${issues.length > 3 ? "; ..." : ""}): save it again to fix it`;
  return new DomainError(
    "unprocessable",
    `campaign ${campaignId} version ${version} ${why}. Until then it does not run; it can still be paused or archived`,
    issues,
  );
}

/** The stored definition as this release reads it, or `unprocessable` saying why it cannot (see above). */
function readDefinition(campaignId: string, version: number, stored: unknown): CampaignDefinition {
  // Stored definitions were parsed when saved; parsing again fills defaults a later shape may have added.
  const parsed = CampaignDefinition.safeParse(stored);
  if (parsed.success) return parsed.data;
  throw unreadableDefinition(campaignId, version, stored, issuesFromZod(parsed.error));
}

export async function currentDefinition(
  db: Db | DbTx,
  campaignId: string,
  version: number,
): Promise<CampaignDefinition> {
  const saved = await db.campaignVersion.findUnique({ where: { campaignId_version: { campaignId, version } } });
  return readDefinition(campaignId, version, saved!.definition);
}

/** The campaign with its current definition; `unprocessable` (saying why) when this release cannot read it. */
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

/**
 * A campaign whose definition this release cannot read, as a status move answers it: its row and why, so
 * pausing or archiving it (which needs no definition) does not answer an error after it was done.
 */
export interface UnreadableCampaignView extends CampaignSummary {
  definition: null;
  unreadable: { message: string; issues: FieldIssue[] };
  versions: CampaignVersionSummary[];
}

/** `getCampaign`, or the campaign's row with why its definition cannot be read. */
export async function campaignOrUnreadable(
  db: Db,
  tenantId: string,
  id: string,
): Promise<CampaignView | UnreadableCampaignView> {
  try {
    return await getCampaign(db, tenantId, id);
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== "unprocessable") throw e;
    const row = await db.campaign.findFirstOrThrow({ where: { id, tenantId } });
    const versions = await campaignVersions(db, tenantId, id);
    const unreadable = { message: e.message, issues: e.issues ?? [] };
    return { ...toCampaignSummary(row), definition: null, unreadable, versions };
  }
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
    definition: readDefinition(id, version, saved.definition),
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
