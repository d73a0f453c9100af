import { isDeepStrictEqual } from "node:util";
import { recordAudit } from "@regulars/audit";
import { canEdit, canMove } from "@regulars/campaigns";
import { CampaignDefinition, type CampaignStatus } from "@regulars/contracts";
import { type CampaignModel, type Db, type DbTx, type Prisma, withTransaction } from "@regulars/db";
import { DomainError, issuesFromZod } from "@regulars/errors";
import { newId } from "@regulars/ids";
import {
  type CampaignView,
  campaignOrUnreadable,
  currentDefinition,
  getCampaign,
  iso,
  type UnreadableCampaignView,
} from "./queries.ts";
import { checkReferences } from "./references.ts";
import { type DueRun, statusFields } from "./status.ts";

/**
 * The definition as the contract reads it, or `invalid_request` naming each field at fault. A campaign on an event its
 * own actions announce is saved as any other: it never hears its own (`hearsCause`), and hears other campaigns'.
 */
export function parseDefinition(input: unknown): CampaignDefinition {
  const parsed = CampaignDefinition.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issuesFromZod(parsed.error);
  throw new DomainError(
    "invalid_request",
    `the campaign cannot be saved: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    issues,
  );
}

const asJson = (definition: CampaignDefinition) => definition as unknown as Prisma.InputJsonObject;

async function tenantZone(db: Db | DbTx, tenantId: string): Promise<string> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  if (!tenant) throw new DomainError("not_found", "no such tenant");
  return tenant.timezone;
}

/** The campaign's row and its last run, locked until the transaction ends: versions are numbered one after another. */
export async function lockedCampaign(
  tx: DbTx,
  tenantId: string,
  id: string,
): Promise<CampaignModel & { lastRunAt: Date | null }> {
  const [locked] = await tx.$queryRaw<{ id: string; last_run_at: Date | null }[]>`
    SELECT id, last_run_at FROM campaigns WHERE id = ${id} AND tenant_id = ${tenantId} FOR UPDATE`;
  if (!locked) throw new DomainError("not_found", `no campaign ${id}`, [{ path: "id", message: "no such campaign" }]);
  return { ...(await tx.campaign.findUnique({ where: { id } }))!, lastRunAt: locked.last_run_at };
}

/**
 * A paused campaign made active again: the moment is kept, so an always-on campaign enrols once whoever joined its
 * audience during the pause (their events were not heard).
 */
async function recordResume(tx: DbTx, id: string, from: CampaignStatus, to: CampaignStatus, now: Date) {
  if (from === "paused" && to === "active")
    await tx.$executeRaw`UPDATE campaigns SET resumed_at = ${now} WHERE id = ${id}`;
}

/**
 * A new campaign, its definition saved as version 1, in the definition's status: `draft`, or `scheduled` /
 * `active` at once (the moves a draft may make). Everything it names must exist for the tenant.
 */
export async function createCampaign(
  db: Db,
  tenantId: string,
  input: unknown,
  actor: string,
  now = new Date(),
): Promise<CampaignView> {
  const definition = parseDefinition(input);
  if (definition.status !== "draft" && !canMove("draft", definition.status))
    throw new DomainError("invalid_request", `a new campaign cannot start ${definition.status}`, [
      { path: "status", message: "a new campaign is draft, scheduled or active" },
    ]);
  await checkReferences(db, tenantId, definition, now);
  const zone = await tenantZone(db, tenantId);
  const fields = statusFields(definition, definition.status, { zone, now, startedAt: null });
  const id = newId("campaign");
  await withTransaction(db, async (tx) => {
    await tx.campaign.create({
      data: {
        id,
        tenantId,
        name: definition.name,
        triggerType: definition.trigger.type,
        version: 1,
        ...fields,
        createdBy: actor,
        createdAt: now,
        updatedAt: now,
      },
    });
    await tx.campaignVersion.create({
      data: { tenantId, campaignId: id, version: 1, definition: asJson(definition), createdBy: actor, createdAt: now },
    });
    const details = { name: definition.name, status: definition.status, trigger: definition.trigger.type };
    await recordAudit(tx, { tenantId, actor, action: "campaigns.create", target: id, details });
  });
  return getCampaign(db, tenantId, id);
}

/**
 * A new version of the definition; refused for an archived campaign (`canEdit`). A status in the definition
 * other than the campaign's is a move, checked like `setCampaignStatus`'s; no status keeps the campaign's.
 */
export async function updateCampaign(
  db: Db,
  tenantId: string,
  id: string,
  input: unknown,
  actor: string,
  now = new Date(),
): Promise<CampaignView> {
  const definition = parseDefinition(input);
  await checkReferences(db, tenantId, definition, now);
  const zone = await tenantZone(db, tenantId);
  await withTransaction(db, async (tx) => {
    const row = await lockedCampaign(tx, tenantId, id);
    const from = row.status as CampaignStatus;
    if (!canEdit(from)) throw new DomainError("conflict", `campaign ${id} is ${from}; it can no longer change`);
    // Without a status of its own the definition keeps the campaign's (the contract's default is `draft`).
    if ((input as { status?: unknown } | null)?.status === undefined) definition.status = from;
    const moving = definition.status !== from;
    if (moving && !canMove(from, definition.status))
      throw new DomainError("conflict", `a ${from} campaign cannot become ${definition.status}`, [
        { path: "status", message: `not a move from ${from}` },
      ]);
    const dueRun = moving ? null : await dueRunOf(tx, row, definition, now);
    const fields = statusFields(definition, definition.status, {
      zone,
      now,
      startedAt: row.startedAt,
      lastRunAt: row.lastRunAt,
      moving,
      dueRun,
    });
    const version = row.version + 1;
    await tx.campaignVersion.create({
      data: { tenantId, campaignId: id, version, definition: asJson(definition), createdBy: actor, createdAt: now },
    });
    await tx.campaign.update({
      where: { id },
      data: { name: definition.name, triggerType: definition.trigger.type, version, ...fields, updatedAt: now },
    });
    await recordResume(tx, id, from, definition.status, now);
    const details = { version, name: definition.name, ...(moving ? { from, to: definition.status } : {}) };
    await recordAudit(tx, { tenantId, actor, action: "campaigns.update", target: id, details });
  });
  return getCampaign(db, tenantId, id);
}

/** The run the row holds that is due and not yet run, if any, and whether the new version keeps its schedule. */
async function dueRunOf(
  tx: DbTx,
  row: CampaignModel,
  definition: CampaignDefinition,
  now: Date,
): Promise<DueRun | null> {
  if (!row.nextRunAt || row.nextRunAt.getTime() > now.getTime()) return null;
  // A version this release cannot read (saved anew to fix it) has no schedule to keep: the new one starts afresh.
  const previous = await currentDefinition(tx, row.id, row.version).then(
    (d) => d.trigger,
    (e: unknown) => {
      if (e instanceof DomainError && e.code === "unprocessable") return null;
      throw e;
    },
  );
  const next = definition.trigger;
  // Compared by value: the stored definition comes back from jsonb with its keys in another order.
  const sameSchedule =
    previous?.type === "broadcast" && next.type === "broadcast" && isDeepStrictEqual(previous.schedule, next.schedule);
  return { at: row.nextRunAt, sameSchedule };
}

/** Moves that give a campaign a next run: they need its definition. Pausing, archiving or a draft do not. */
const needsDefinition = (to: CampaignStatus) => to === "scheduled" || to === "active";

/**
 * Moves a campaign between statuses as `canMove` allows (schedule, activate, pause, resume, archive, back to
 * draft). Moving to the status it has is a no-op, so a retried request does not fail. A campaign whose definition
 * this release cannot read can still be paused, archived or made a draft (answered without its definition);
 * scheduling or activating it is refused with why.
 */
export async function setCampaignStatus(
  db: Db,
  tenantId: string,
  id: string,
  to: CampaignStatus,
  actor: string,
  now = new Date(),
): Promise<CampaignView | UnreadableCampaignView> {
  const zone = await tenantZone(db, tenantId);
  await withTransaction(db, async (tx) => {
    const row = await lockedCampaign(tx, tenantId, id);
    const from = row.status as CampaignStatus;
    if (from === to) return;
    if (!canMove(from, to))
      throw new DomainError("conflict", `a ${from} campaign cannot become ${to}`, [
        { path: "status", message: `not a move from ${from}` },
      ]);
    const fields = needsDefinition(to)
      ? statusFields(await currentDefinition(tx, id, row.version), to, {
          zone,
          now,
          startedAt: row.startedAt,
          lastRunAt: row.lastRunAt,
        })
      : { status: to, nextRunAt: null, startedAt: row.startedAt };
    await tx.campaign.update({ where: { id }, data: { ...fields, updatedAt: now } });
    await recordResume(tx, id, from, to, now);
    const details = { from, to, nextRunAt: iso(fields.nextRunAt) };
    await recordAudit(tx, { tenantId, actor, action: "campaigns.status", target: id, details });
  });
  return campaignOrUnreadable(db, tenantId, id);
}
