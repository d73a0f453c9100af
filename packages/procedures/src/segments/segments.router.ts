import type { SegmentDefinition } from "@regulars/contracts";
import { roleMay } from "@regulars/contracts/api-access";
import { DomainError } from "@regulars/errors";
import {
  checkSegmentSql,
  createSegment,
  getSegment,
  listMembers,
  listSegments,
  type MaterialiseOptions,
  previewSegment,
  refreshSegment,
  type Segment,
  type SegmentRefresh,
  type SegmentSource,
  updateSegment,
} from "@regulars/segments-store";
import { analyticsOf } from "../analytics-target.ts";
import { allowedTo, router, type TenantContext } from "../trpc.ts";
import {
  CreateSegmentInput,
  PreviewSegmentInput,
  SegmentIdInput,
  SegmentMembersInput,
  UpdateSegmentInput,
} from "./segments.types.ts";

const readers = allowedTo("readSegments");
const writers = allowedTo("writeSqlSegments");

/**
 * The source from the input, checked: an analyst may only write SQL (definitions are the admins'), and SQL
 * must pass the analyst rules and return a customer_id column before it is saved.
 */
async function sourceOf(
  ctx: TenantContext,
  input: { definition?: SegmentDefinition; sql?: string },
): Promise<SegmentSource | undefined> {
  if (input.definition) {
    if (!roleMay(ctx.credential.role, "writeSegmentDefinitions")) {
      throw new DomainError("forbidden", "an analyst key can save SQL segments; definitions need an admin key");
    }
    return { kind: "definition", definition: input.definition };
  }
  if (input.sql === undefined) return undefined;
  await checkSegmentSql(analyticsOf(ctx), ctx.tenantId, input.sql);
  return { kind: "sql", sql: input.sql };
}

/**
 * What an analyst may not change: anything but SQL, a segment someone else created (an admin's SQL segment may feed
 * live campaigns), or whether it is paused. The creator is the credential's `keyId`, as `createSegment` records it:
 * the analyst API key's id, or `staff:<id>` for a signed-in analyst. A rotated key's successor is a new key and does
 * not inherit; an admin can still change those segments.
 */
function refuseAnalystChange(ctx: TenantContext, current: Segment, input: { status?: string }): void {
  if (current.kind !== "sql") throw new DomainError("forbidden", "an analyst key can change SQL segments only");
  if (current.createdBy !== ctx.credential.keyId) {
    throw new DomainError("forbidden", "an analyst can change only the SQL segments they created; ask an admin");
  }
  if (input.status !== undefined) {
    throw new DomainError("forbidden", "an analyst key cannot pause or resume a segment; an admin can");
  }
}

/**
 * Saved, then refreshed at once: a segment's members follow every change to it, unless it is paused (pausing
 * freezes them; the refresh then says `paused`). An admin's explicit refresh goes ahead regardless.
 */
async function refreshed(ctx: TenantContext, id: string, options: MaterialiseOptions = {}) {
  const deps = { db: ctx.db, analytics: analyticsOf(ctx) };
  const refresh = await refreshSegment(deps, ctx.tenantId, id, new Date(), options);
  return { segment: await getSegment(ctx.db, ctx.tenantId, id), refresh };
}

/**
 * A segment just saved (created or changed) and its refresh; `refresh` is null when that refresh failed. The segment
 * is saved either way, saying why (`lastError`): a new one never refreshed yet (`refreshedAt` null), a changed one
 * with the members of its last refresh.
 */
async function savedAndRefreshed(
  ctx: TenantContext,
  id: string,
): Promise<{ segment: Segment; refresh: SegmentRefresh | null }> {
  try {
    return await refreshed(ctx, id);
  } catch {
    // Kept, not undone, like any segment whose refresh fails: the admin shows its lastError, and the scheduler's next
    // pass retries it (not the next interval: its members are of an older version), less often while it keeps failing.
    return { segment: await getSegment(ctx.db, ctx.tenantId, id), refresh: null };
  }
}

export const segmentsRouter = router({
  /**
   * Saves a segment (admins: a definition or SQL; analysts: SQL) and materialises its members. When that first
   * refresh fails (ClickHouse down, SQL failing at run time) the segment is still answered, with `refresh` null.
   */
  create: writers.input(CreateSegmentInput).mutation(async ({ ctx, input }) => {
    // An API process without ClickHouse can never refresh what it saves: refused before anything is saved.
    analyticsOf(ctx);
    const source = (await sourceOf(ctx, input))!;
    const segment = await createSegment(
      ctx.db,
      ctx.tenantId,
      { name: input.name, source, refreshIntervalMinutes: input.refreshIntervalMinutes },
      ctx.credential.keyId,
    );
    return savedAndRefreshed(ctx, segment.id);
  }),

  /**
   * Changes a segment; analysts only their SQL segments' SQL, name and interval (pausing a segment freezes the
   * audiences of the campaigns that use it: an admin's call). Refreshed at once, unless paused: a paused
   * segment's members stay as they are until it is resumed or an admin refreshes it, and pay no earning rule meanwhile
   * (a new definition leaves `refreshedVersion` behind `version`: they are of the old one). A refresh that fails leaves
   * the change saved and answers `refresh` null, the segment saying why, as create does.
   */
  update: writers.input(UpdateSegmentInput).mutation(async ({ ctx, input }) => {
    if (!roleMay(ctx.credential.role, "writeSegmentDefinitions"))
      refuseAnalystChange(ctx, await getSegment(ctx.db, ctx.tenantId, input.id), input);
    // As in create: a process that cannot refresh saves nothing.
    analyticsOf(ctx);
    const source = await sourceOf(ctx, input);
    const { id, name, refreshIntervalMinutes, status } = input;
    await updateSegment(
      ctx.db,
      ctx.tenantId,
      id,
      { name, source, refreshIntervalMinutes, status },
      ctx.credential.keyId,
    );
    return savedAndRefreshed(ctx, id);
  }),

  /**
   * The live member count and a sample of a definition or SQL, without saving anything. SQL runs with an
   * analyst's limits and is counted in ClickHouse; `exact` is false when it returned more ids than a preview
   * checks against the tenant's customers.
   */
  preview: readers.input(PreviewSegmentInput).mutation(async ({ ctx, input }) => {
    const source = await sourceOf(ctx, input);
    return previewSegment(
      { db: ctx.db, analytics: analyticsOf(ctx) },
      ctx.tenantId,
      source!,
      new Date(),
      input.sampleSize,
    );
  }),

  list: readers.query(({ ctx }) => listSegments(ctx.db, ctx.tenantId)),

  get: readers.input(SegmentIdInput).query(({ ctx, input }) => getSegment(ctx.db, ctx.tenantId, input.id)),

  /** Members in customer id order, a page at a time. */
  members: readers
    .input(SegmentMembersInput)
    .query(({ ctx, input }) => listMembers(ctx.db, ctx.tenantId, input.id, { limit: input.limit, after: input.after })),

  /**
   * Refreshes the membership now, a paused segment's too (an admin's explicit call); entered and left customers
   * are announced as segment.entered / segment.left, which may start campaigns: audited with its counts, in the
   * transaction that applies the members.
   */
  refresh: allowedTo("refreshSegments")
    .input(SegmentIdInput)
    .mutation(({ ctx, input }) => refreshed(ctx, input.id, { whenPaused: "refresh", actor: ctx.credential.keyId })),
});
