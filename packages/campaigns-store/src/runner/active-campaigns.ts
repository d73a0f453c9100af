import type { CampaignVersion } from "@regulars/campaigns";
import { CampaignDefinition, type CampaignStatus } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import type { z } from "zod";

/** A campaign as the runner plans it: the version in force, with the row's status (the one the admin moves). */
export interface RunnableCampaign extends CampaignVersion {
  tenantId: string;
  status: CampaignStatus;
  nextRunAt: Date | null;
  startedAt: Date | null;
  /** The broadcast run last started. */
  lastRunAt: Date | null;
  /** When it last came back from a pause. */
  resumedAt: Date | null;
}

interface CampaignRow {
  id: string;
  tenant_id: string;
  status: string;
  version: number;
  next_run_at: Date | null;
  started_at: Date | null;
  last_run_at: Date | null;
  resumed_at: Date | null;
  definition: unknown;
}

/** A campaign whose stored definition this release cannot read, with what zod found wrong. */
export interface UnreadableCampaign {
  id: string;
  tenantId: string;
  version: number;
  issues: z.core.$ZodIssue[];
}

/** Told of each campaign a load leaves out because its definition does not parse (the caller logs or counts it). */
export type OnUnreadableCampaign = (campaign: UnreadableCampaign) => void;

/**
 * The row's status wins over the one saved in the definition: the scheduler makes a broadcast `active` and an
 * admin pauses a campaign without saving a new version, and planning must see that move. Null for a definition
 * that does not parse (written by a newer release mid-deploy, or saved before a schema change).
 */
function runnableOf(row: CampaignRow, onUnreadable?: OnUnreadableCampaign): RunnableCampaign | null {
  const parsed = CampaignDefinition.safeParse(row.definition);
  if (!parsed.success) {
    onUnreadable?.({ id: row.id, tenantId: row.tenant_id, version: row.version, issues: parsed.error.issues });
    return null;
  }
  const definition = parsed.data;
  const status = row.status as CampaignStatus;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    version: row.version,
    status,
    nextRunAt: row.next_run_at,
    startedAt: row.started_at,
    lastRunAt: row.last_run_at,
    resumedAt: row.resumed_at,
    definition: { ...definition, status },
  };
}

/**
 * Campaigns with their definitions in force, by status and optionally trigger types; one statement. A campaign
 * whose definition does not parse is left out (and reported): one bad row must not stop the tenant's others.
 */
export async function loadCampaigns(
  db: Db | DbTx,
  where: {
    tenantId?: string;
    ids?: readonly string[];
    statuses: readonly CampaignStatus[];
    triggers?: readonly string[];
  },
  onUnreadable?: OnUnreadableCampaign,
): Promise<RunnableCampaign[]> {
  const rows = await db.$queryRaw<CampaignRow[]>`
    SELECT c.id, c.tenant_id, c.status, c.version, c.next_run_at, c.started_at, c.last_run_at, c.resumed_at,
      v.definition
    FROM campaigns c JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
    WHERE c.status = ANY(${[...where.statuses]}::text[])
      AND (${where.tenantId ?? null}::text IS NULL OR c.tenant_id = ${where.tenantId ?? null})
      AND (${where.ids ? [...where.ids] : null}::text[] IS NULL OR c.id = ANY(${where.ids ? [...where.ids] : null}::text[]))
      AND (${where.triggers ? [...where.triggers] : null}::text[] IS NULL
           OR c.trigger_type = ANY(${where.triggers ? [...where.triggers] : null}::text[]))
    ORDER BY c.id`;
  return rows.flatMap((row) => runnableOf(row, onUnreadable) ?? []);
}

interface Entry {
  checkedAt: number;
  /** The (id, version) list the campaigns were loaded for, unreadable ones included, so they are not reloaded. */
  stamps: string;
  campaigns: RunnableCampaign[];
}

/**
 * Each tenant's active campaigns for the trigger worker, which sees every domain event: one cheap check of
 * (id, version, status) per tenant after `ttlMs`, and definitions loaded again only when that list changed. A
 * saved version or a pause therefore reaches the worker within the TTL, and a busy stream does not read every
 * definition for every event.
 */
export class ActiveCampaignCache {
  private readonly entries = new Map<string, Entry>();
  private readonly zones = new Map<string, string>();
  /** Location zones, as the ledger reads them: a zone an admin sets reaches new enrolments within its TTL. */
  private readonly programmes: ProgrammeCache;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
    private readonly onUnreadable?: OnUnreadableCampaign,
  ) {
    this.programmes = new ProgrammeCache(db);
  }

  async forTenant(tenantId: string, nowMs: number): Promise<RunnableCampaign[]> {
    const entry = this.entries.get(tenantId);
    if (entry && nowMs - entry.checkedAt < this.ttlMs) return entry.campaigns;
    const stamps = await this.db.$queryRaw<{ id: string; version: number; status: string }[]>`
      SELECT id, version, status FROM campaigns WHERE tenant_id = ${tenantId} AND status = 'active' ORDER BY id`;
    const key = stamps.map((s) => `${s.id}:${s.version}`).join(",");
    const campaigns =
      entry?.stamps === key
        ? entry.campaigns
        : await loadCampaigns(this.db, { tenantId, statuses: ["active"] }, this.onUnreadable);
    this.entries.set(tenantId, { checkedAt: nowMs, stamps: key, campaigns });
    return campaigns;
  }

  /** The tenant's time zone (kept for the process's life: a tenant moving zones is rare and restarts are not). */
  async tenantZone(tenantId: string): Promise<string> {
    const known = this.zones.get(tenantId);
    if (known) return known;
    const [row] = await this.db.$queryRaw<{ timezone: string }[]>`SELECT timezone FROM tenants WHERE id = ${tenantId}`;
    const zone = row?.timezone ?? "UTC";
    this.zones.set(tenantId, zone);
    return zone;
  }

  /**
   * The zone of a tenant's location (`localZone`: the tenant's when the location has none set), null without a
   * location: a sale's messages are delivered on the clock of the till they were triggered at.
   */
  async locationZone(tenantId: string, locationId: string | null | undefined, now: Date): Promise<string | null> {
    if (!locationId) return null;
    return (await this.programmes.inForce(tenantId, now, locationId))?.localZone ?? null;
  }

  /**
   * Every tenant's list is checked again at its next use, definitions kept unless their versions moved. The trigger
   * worker calls it per batch: a batch fetched after a campaign was activated then always sees it (within a TTL it
   * could miss the events of its first seconds, and they are acknowledged), at one indexed query per tenant.
   */
  expire(): void {
    for (const entry of this.entries.values()) entry.checkedAt = Number.NEGATIVE_INFINITY;
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.entries.clear();
    else this.entries.delete(tenantId);
  }
}
