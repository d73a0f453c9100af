import { recordAudit } from "@regulars/audit";
import { normalizeCode } from "@regulars/checkout";
import { CouponCode } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { type ImportLine, numberedLines } from "./csv.ts";
import {
  type DbOrTx,
  inTransaction,
  loadCampaign,
  lockCampaignCodes,
  maxUsesOf,
  stoppedAfter,
  wrongKind,
} from "./shared.ts";

/**
 * Codes per transaction. Each inserted code's foreign key takes a KEY SHARE lock on the campaign's row until its
 * transaction commits; holds lock the row FOR NO KEY UPDATE, which does not wait for it, but a campaign's edit
 * (FOR UPDATE) does: a chunk keeps that wait short (about 0.4 s here), and a call of the CLI or the admin (10,000
 * lines) is still one transaction with one audit row.
 */
export const IMPORT_CHUNK = 10_000;
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
 * Adds partner codes to an imported campaign, in transactions of IMPORT_CHUNK codes under the campaign's advisory
 * lock (not its row, which holds and the ledger lock), each with its audit row. Every line is judged on its own: a
 * line that is not a code, repeats an earlier line, or names a code the tenant already has is reported with its line
 * number and left out; the other lines go in. A failure midway keeps the chunks committed before it and says how
 * many codes they added; importing the file again reports those as codes the campaign has.
 */
export async function importCodes(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  input: readonly string[] | readonly ImportLine[],
  actor: string,
): Promise<ImportReport> {
  const lines: readonly ImportLine[] = isStrings(input) ? numberedLines(input) : input;
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
  let inserted = 0;
  // At least one chunk, empty or not: the campaign is checked and the call audited even for a file of bad lines.
  for (let i = 0; i === 0 || i < codes.length; i += IMPORT_CHUNK) {
    const chunk = codes.slice(i, i + IMPORT_CHUNK);
    try {
      const done = await inTransaction(
        db,
        async (tx) => {
          await lockCampaignCodes(tx, tenantId, campaignId);
          const campaign = await loadCampaign(tx, tenantId, campaignId);
          if (campaign.config.codes.kind !== "imported") throw wrongKind(campaign, "imported", "import codes");
          const went = await insertImported(tx, tenantId, campaignId, chunk, maxUsesOf(campaign.config));
          const refused = chunk.filter((c) => !went.has(c));
          const owners = await ownersOf(tx, tenantId, refused);
          const taken = refused.map((code) =>
            takenProblem(code, firstLineOf.get(code)!, owners.get(code) === campaignId),
          );
          // The lines judged before the codes (received, invalid, repeated) are the call's: told by its first chunk.
          const lineCounts = i === 0 ? counts : { received: 0, invalid: 0, duplicates: 0 };
          await recordAudit(tx, {
            tenantId,
            actor,
            action: "coupons.importCodes",
            target: campaignId,
            details: { ...lineCounts, taken: taken.length, inserted: went.size },
          });
          return { inserted: went.size, taken };
        },
        { timeoutMs: 5 * 60_000 },
      );
      inserted += done.inserted;
      counts.taken += done.taken.length;
      problems.push(...done.taken);
    } catch (e) {
      throw stoppedAfter(e, inserted, "codes");
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { ...counts, inserted, problems: problems.slice(0, MAX_REPORTED_PROBLEMS) };
}

const takenProblem = (code: string, line: number, ours: boolean): ImportProblem => ({
  line,
  value: code,
  reason: "taken",
  message: ours ? "already a code of this campaign" : "already a code of another coupon campaign of this tenant",
});

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
  if (!codes.length) return new Set();
  const rows = await tx.$queryRaw<{ code: string }[]>`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
    SELECT ${tenantId}, c, ${campaignId}, 'imported', ${maxUses}::integer FROM unnest(${codes}::text[]) AS c
    ON CONFLICT DO NOTHING
    RETURNING code`;
  return new Set(rows.map((r) => r.code));
}

async function ownersOf(tx: DbTx, tenantId: string, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const rows = await tx.$queryRaw<{ code: string; campaign_id: string }[]>`
    SELECT code, campaign_id FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ANY(${codes}::text[])`;
  return new Map(rows.map((r) => [r.code, r.campaign_id]));
}
