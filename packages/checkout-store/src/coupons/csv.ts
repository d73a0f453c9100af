import { type DbOrTx, loadCampaign } from "./shared.ts";

/** One line of an import, numbered as the operator's file numbers it (from 1). */
export interface ImportLine {
  line: number;
  value: string;
}

export const numberedLines = (codes: readonly string[]): ImportLine[] =>
  codes.map((value, i) => ({ line: i + 1, value }));

/** The first field of a CSV line: up to the first ',', ';' or tab, or a quoted field with "" as a quote. */
function firstField(line: string): string {
  const text = line.trimStart();
  if (!text.startsWith('"')) return (/^[^,;\t]*/.exec(text)?.[0] ?? "").trim();
  let value = "";
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== '"') value += text[i];
    else if (text[i + 1] === '"') value += text[i++];
    else break;
  }
  return value.trim();
}

/**
 * The codes of a partner's file: a plain list or a CSV whose first column holds the code (our own
 * export reads back). A first line reading `code` is a header. Line numbers count every line, blank
 * ones too, so they match what the operator's editor shows. The file may come as its text or its lines.
 */
export function codeLinesFromCsv(file: string | readonly string[]): ImportLine[] {
  const lines = typeof file === "string" ? file.split(/\r\n|\n|\r/) : file;
  const out: ImportLine[] = [];
  lines.forEach((raw, i) => {
    const value = firstField(i === 0 ? raw.replace(/^\uFEFF/, "") : raw);
    if (i === 0 && value.toLowerCase() === "code") return;
    if (value) out.push({ line: i + 1, value });
  });
  return out;
}

export const CODES_CSV_HEADER = "code,uses,max_uses,created_at\n";

interface CodeRow {
  code: string;
  uses: number;
  max_uses: number | null;
  created_at: Date;
}

/**
 * A campaign's codes as CSV text chunks, in code order, read a page at a time by keyset (the code
 * after the last one sent), so a million codes never sit in memory at once. The campaign is looked up
 * before anything is returned: an unknown campaign fails before a response starts.
 */
export async function streamCodesCsv(
  db: DbOrTx,
  tenantId: string,
  campaignId: string,
  opts: { pageSize?: number } = {},
): Promise<AsyncIterable<string>> {
  await loadCampaign(db, tenantId, campaignId);
  const pageSize = opts.pageSize ?? 10_000;
  async function* chunks(): AsyncGenerator<string> {
    yield CODES_CSV_HEADER;
    let after = "";
    for (;;) {
      // (tenant_id, code) is the primary key: the page walks it in order from `after`.
      const rows = await db.$queryRaw<CodeRow[]>`
        SELECT code, uses, max_uses, created_at FROM coupon_codes
        WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId} AND code > ${after}
        ORDER BY code
        LIMIT ${pageSize}`;
      if (!rows.length) return;
      yield rows.map((r) => `${r.code},${r.uses},${r.max_uses ?? ""},${r.created_at.toISOString()}\n`).join("");
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.code;
    }
  }
  return chunks();
}
