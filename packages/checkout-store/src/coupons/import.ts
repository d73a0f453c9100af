import { recordAudit } from "@regulars/audit";
import { normalizeCode } from "@regulars/checkout";
import { CouponCode } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { type ImportLine, numberedLines } from "./csv.ts";
import { type DbOrTx, inTransaction, loadCampaign, maxUsesOf, wrongKind } from "./shared.ts";

const CHUNK = 10_000;
/** A file full of mistakes needs its first lines shown, not all of them. */
export const MAX_REPORTED_PROBLEMS = 1_000;

export type ImportProblemReason = "invalid" | "duplicate" | "taken";

export interface ImportProblem {
  line: number;
  value: string;
  reason: ImportProblemReason;
  message: string;
}

export interface ImportReport {
  /** Lines holding something (blank lines are skipped). */
  received: number;
  inserted: number;
  invalid: number;
  duplicates: number;
  taken: number;
  /** The first MAX_REPORTED_PROBLEMS problems, by line. */
  problems: ImportProblem[];
}

/**
 * Adds partner codes to an imported campaign, in one transaction. Every line is judged on its own: a
 * line that is not a code, repeats an earlier line, or names a code the tenant already has is reported
 * with its line number and left out; the other lines go in.
 */
export async function importCodes(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  input: readonly string[] | readonly ImportLine[],
  actor: string,
): Promise<ImportReport> {
  const lines: readonly ImportLine[] = isStrings(input) ? numberedLines(input) : input;
  return inTransaction(
    db,
    async (tx) => {
      const campaign = await loadCampaign(tx, tenantId, campaignId, { lock: true });
      if (campaign.config.codes.kind !== "imported") throw wrongKind(campaign, "imported", "import codes");
      const problems: ImportProblem[] = [];
      const counts = { received: 0, invalid: 0, duplicates: 0, taken: 0 };
      const firstLineOf = new Map<string, number>();
      for (const { line, value } of lines) {
        if (!value.trim()) continue;
        counts.received++;
        const parsed = CouponCode.safeParse(normalizeCode(value));
        if (!parsed.success) {
          counts.invalid++;
          const message = parsed.error.issues[0]?.message ?? "not a code";
          problems.push({ line, value: shown(value), reason: "invalid", message });
          continue;
        }
        const first = firstLineOf.get(parsed.data);
        if (first !== undefined) {
          counts.duplicates++;
          problems.push({ line, value: shown(value), reason: "duplicate", message: `repeats line ${first}` });
          continue;
        }
        firstLineOf.set(parsed.data, line);
      }
      const codes = [...firstLineOf.keys()];
      const inserted = await insertImported(tx, tenantId, campaignId, codes, maxUsesOf(campaign.config));
      const refused = codes.filter((c) => !inserted.has(c));
      const owners = await ownersOf(tx, tenantId, refused);
      for (const code of refused) {
        counts.taken++;
        const owner = owners.get(code);
        problems.push({
          line: firstLineOf.get(code)!,
          value: code,
          reason: "taken",
          message:
            owner === campaignId
              ? "already a code of this campaign"
              : "already a code of another coupon campaign of this tenant",
        });
      }
      problems.sort((a, b) => a.line - b.line);
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "coupons.importCodes",
        target: campaignId,
        details: { ...counts, inserted: inserted.size },
      });
      return { ...counts, inserted: inserted.size, problems: problems.slice(0, MAX_REPORTED_PROBLEMS) };
    },
    { timeoutMs: 10 * 60_000 },
  );
}

/** A garbage line can be long; the report quotes enough of it to find it. */
const shown = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);

const isStrings = (input: readonly string[] | readonly ImportLine[]): input is readonly string[] =>
  typeof input[0] === "string";

/** The codes that went in; a code the tenant already has is left alone (ON CONFLICT), race-free. */
async function insertImported(
  tx: DbTx,
  tenantId: string,
  campaignId: string,
  codes: string[],
  maxUses: number | null,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < codes.length; i += CHUNK) {
    const rows = await tx.$queryRaw<{ code: string }[]>`
      INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
      SELECT ${tenantId}, c, ${campaignId}, 'imported', ${maxUses}::integer
      FROM unnest(${codes.slice(i, i + CHUNK)}::text[]) AS c
      ON CONFLICT DO NOTHING
      RETURNING code`;
    for (const r of rows) inserted.add(r.code);
  }
  return inserted;
}

async function ownersOf(tx: DbTx, tenantId: string, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const rows = await tx.$queryRaw<{ code: string; campaign_id: string }[]>`
    SELECT code, campaign_id FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ANY(${codes}::text[])`;
  return new Map(rows.map((r) => [r.code, r.campaign_id]));
}
