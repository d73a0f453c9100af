import type { ProgrammeConfig } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";

/**
 * A rule may name only segments the tenant has: a mistyped id would otherwise make a rule nobody is a member of. Only
 * the segments a rule did not name before the edit are asked about, so a segment deleted since does not block every
 * other edit of the programme (its rule simply pays no one, as a segment without members would).
 */
export async function refuseUnknownSegments(
  tx: DbTx,
  tenantId: string,
  before: ProgrammeConfig,
  after: ProgrammeConfig,
): Promise<void> {
  const namedBefore = new Map(before.rules.map((r) => [r.id, new Set(r.segments ?? [])]));
  const added = after.rules.flatMap((rule, i) =>
    (rule.segments ?? []).flatMap((id, j) =>
      namedBefore.get(rule.id)?.has(id) ? [] : [{ id, path: `rules.${i}.segments.${j}` }],
    ),
  );
  if (!added.length) return;
  const found = await tx.segment.findMany({
    where: { tenantId, id: { in: [...new Set(added.map((a) => a.id))] } },
    select: { id: true },
  });
  const known = new Set(found.map((s) => s.id));
  const issues: FieldIssue[] = added
    .filter((a) => !known.has(a.id))
    .map((a) => ({ path: a.path, message: `the tenant has no segment '${a.id}'` }));
  const first = issues[0];
  if (first)
    throw new DomainError("invalid_request", `the programme would be invalid: ${first.path}: ${first.message}`, issues);
}
