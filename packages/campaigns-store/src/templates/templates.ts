import { recordAudit } from "@regulars/audit";
import { type Db, type DbTx, type MessageTemplateModel, type Prisma, withTransaction } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { type Channel, MessageTemplate, templateSetIssues } from "@regulars/messaging";

/** A template as the admin reads it: every language variant of one channel, and its save count. */
export interface MessageTemplateView {
  id: string;
  name: string;
  channel: Channel;
  variants: MessageTemplate[];
  /** 1 when created, one more on every save: a queued message names the version it rendered. */
  version: number;
  archivedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateInput {
  name: string;
  channel: Channel;
  /** One `MessageTemplate` per language, all of `channel`; checked as a set when saved. */
  variants: unknown[];
}

export type TemplatePatch = Partial<Pick<TemplateInput, "name" | "variants">>;

export function toTemplateView(row: MessageTemplateModel): MessageTemplateView {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel as Channel,
    variants: row.variants as unknown as MessageTemplate[],
    version: row.version,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * The variants as saved, or one `invalid_request` naming every problem by its path in the input
 * (`variants.1.subject`): Liquid syntax, unknown variables, a language twice, a variant of another channel.
 */
export function checkVariants(channel: Channel, variants: unknown): MessageTemplate[] {
  const issues: FieldIssue[] = templateSetIssues(variants).map((i) => ({
    path: i.field === "templates" ? "variants" : `variants.${i.field}`,
    message: i.message,
  }));
  if (Array.isArray(variants))
    for (const [i, v] of variants.entries()) {
      const own = (v as { channel?: unknown } | null)?.channel;
      if (typeof own === "string" && own !== channel)
        issues.push({ path: `variants.${i}.channel`, message: `a ${channel} template holds ${channel} variants only` });
    }
  if (issues.length)
    throw new DomainError(
      "invalid_request",
      `the template cannot be saved: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
  // Parsed, so defaults (an e-mail's `format`) and trimming are stored as the renderer reads them.
  return (variants as unknown[]).map((v) => MessageTemplate.parse(v));
}

export async function templateRow(db: Db | DbTx, tenantId: string, id: string): Promise<MessageTemplateModel> {
  const row = await db.messageTemplate.findFirst({ where: { id, tenantId } });
  if (!row)
    throw new DomainError("not_found", `no message template ${id}`, [{ path: "id", message: "no such template" }]);
  return row;
}

export async function createTemplate(
  db: Db,
  tenantId: string,
  input: TemplateInput,
  actor: string,
): Promise<MessageTemplateView> {
  const variants = checkVariants(input.channel, input.variants);
  return withTransaction(db, async (tx) => {
    const row = await tx.messageTemplate.create({
      data: {
        id: newId("messageTemplate"),
        tenantId,
        name: input.name,
        channel: input.channel,
        variants: variants as unknown as Prisma.InputJsonArray,
        createdBy: actor,
      },
    });
    const details = { name: row.name, channel: row.channel, languages: variants.map((v) => v.language) };
    await recordAudit(tx, { tenantId, actor, action: "templates.create", target: row.id, details });
    return toTemplateView(row);
  });
}

/** A new version of the name or the variants; an archived template is not changed (make a new one). */
export async function updateTemplate(
  db: Db,
  tenantId: string,
  id: string,
  patch: TemplatePatch,
  actor: string,
): Promise<MessageTemplateView> {
  return withTransaction(db, async (tx) => {
    const current = await templateRow(tx, tenantId, id);
    if (current.archivedAt) throw new DomainError("conflict", `message template ${id} is archived`);
    const variants = patch.variants && checkVariants(current.channel as Channel, patch.variants);
    // The version is bumped in the statement, so two saves at once make two versions, not one.
    const row = await tx.messageTemplate.update({
      where: { id },
      data: {
        name: patch.name,
        variants: variants as unknown as Prisma.InputJsonArray | undefined,
        version: { increment: 1 },
        updatedAt: new Date(),
      },
    });
    const details = { version: row.version, name: patch.name, languages: variants?.map((v) => v.language) };
    await recordAudit(tx, { tenantId, actor, action: "templates.update", target: id, details });
    return toTemplateView(row);
  });
}

export async function getTemplate(db: Db, tenantId: string, id: string): Promise<MessageTemplateView> {
  return toTemplateView(await templateRow(db, tenantId, id));
}

export interface ListTemplatesInput {
  channel?: Channel;
  includeArchived?: boolean;
}

/** Newest first; archived templates only when asked for. */
export async function listTemplates(
  db: Db,
  tenantId: string,
  input: ListTemplatesInput = {},
): Promise<MessageTemplateView[]> {
  const rows = await db.messageTemplate.findMany({
    where: {
      tenantId,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.includeArchived ? {} : { archivedAt: null }),
    },
    orderBy: { id: "desc" },
  });
  return rows.map(toTemplateView);
}

/**
 * Campaigns not archived whose current definition sends this template: archiving it under them would make
 * their next message fail, so it is refused while they exist.
 */
async function campaignsUsing(tx: DbTx, tenantId: string, templateId: string): Promise<string[]> {
  const uses = JSON.stringify([{ type: "send_message", templateId }]);
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM campaigns c
    JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
    WHERE c.tenant_id = ${tenantId} AND c.status <> 'archived' AND v.definition -> 'actions' @> ${uses}::jsonb
    ORDER BY c.id`;
  return rows.map((r) => r.id);
}

/** Archived templates stay readable (messages name them) but are not offered, changed or sent again. */
export async function archiveTemplate(
  db: Db,
  tenantId: string,
  id: string,
  actor: string,
  now = new Date(),
): Promise<MessageTemplateView> {
  return withTransaction(db, async (tx) => {
    const current = await templateRow(tx, tenantId, id);
    if (current.archivedAt) return toTemplateView(current);
    const using = await campaignsUsing(tx, tenantId, id);
    if (using.length)
      throw new DomainError("conflict", `message template ${id} is sent by campaigns ${using.join(", ")}`, [
        { path: "id", message: `in use by ${using.length} campaign(s) that are not archived` },
      ]);
    const row = await tx.messageTemplate.update({ where: { id }, data: { archivedAt: now, updatedAt: now } });
    await recordAudit(tx, { tenantId, actor, action: "templates.archive", target: id, details: {} });
    return toTemplateView(row);
  });
}
