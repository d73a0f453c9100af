import { Alert, Button, Card, describeError, Field, useFormat, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ProgressBar } from "../../ui/progress-bar.tsx";
import { type CodeFile, codeChunks, readCodeFile } from "./code-file.ts";

/** Lines per call: well under the procedure's 100,000, so a call stays short and the bar moves. */
const CHUNK = 5_000;
/** Problems listed on the page; the counts above them cover all. */
const SHOWN_PROBLEMS = 20;

interface Problem {
  line: number;
  value: string;
  message: string;
}
interface Totals {
  received: number;
  inserted: number;
  duplicates: number;
  invalid: number;
  taken: number;
  problems: Problem[];
}
const noTotals: Totals = { received: 0, inserted: 0, duplicates: 0, invalid: 0, taken: 0, problems: [] };

/**
 * Partner codes from a file (one per line, or a CSV's first column, with an optional `code` header): how
 * many it holds, then sent in chunks behind a progress bar, then what went in and what was refused by line.
 * A code repeated across chunks is reported as already the campaign's, since each chunk is judged alone.
 */
export function ImportCard({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<(CodeFile & { name: string }) | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [totals, setTotals] = useState<Totals | null>(null);
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = e.target.files?.[0];
    setTotals(null);
    setProgress(null);
    setError(null);
    setFile(chosen ? { ...readCodeFile(await chosen.text()), name: chosen.name } : null);
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const chunks = codeChunks(file.lines, CHUNK);
    const total = chunks.reduce((n, c) => n + c.size, 0);
    let sum = noTotals;
    setError(null);
    setImporting(true);
    setTotals(null);
    setProgress({ done: 0, total });
    try {
      let done = 0;
      for (const chunk of chunks) {
        const r = await client.coupons.importCodes.mutate({ id: campaignId, csvLines: chunk.csvLines });
        sum = {
          received: sum.received + r.received,
          inserted: sum.inserted + r.inserted,
          duplicates: sum.duplicates + r.duplicates,
          invalid: sum.invalid + r.invalid,
          taken: sum.taken + r.taken,
          problems: [...sum.problems, ...r.problems.map((p) => ({ ...p, line: p.line + chunk.lineOffset }))].slice(
            0,
            SHOWN_PROBLEMS,
          ),
        };
        done += chunk.size;
        setProgress({ done, total });
      }
    } catch (err) {
      setError(err);
    } finally {
      // What went in before a failure is in: the counts say so either way.
      setTotals(sum);
      setImporting(false);
      await queryClient.invalidateQueries({ queryKey: trpc.coupons.stats.queryKey({ id: campaignId }) });
    }
  };

  const n = format.number;
  return (
    <Card title={t("import.title")}>
      <form noValidate onSubmit={send} className="flex flex-col gap-3">
        <Field label={t("import.file")} hint={t("import.fileHint")}>
          {({ id, describedBy }) => (
            <input
              id={id}
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              aria-describedby={describedBy}
              disabled={importing}
              onChange={(e) => void choose(e)}
              className="text-sm text-slate-900 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-900 hover:file:bg-slate-50 focus-visible:outline-2 focus-visible:outline-emerald-700"
            />
          )}
        </Field>
        <p aria-live="polite" className="text-sm text-slate-700">
          {file && t("import.read", { name: file.name, formatted: n(file.codes) })}
        </p>
        <div>
          <Button type="submit" disabled={importing || !file || file.codes === 0}>
            {t("import.send")}
          </Button>
        </div>
        {progress && <ProgressBar label={t("import.progress")} done={progress.done} total={progress.total} />}
        <div aria-live="polite">
          {totals && !importing && (
            <Alert tone={error ? "info" : "success"}>
              <p>
                {t("import.result", {
                  received: n(totals.received),
                  inserted: n(totals.inserted),
                  duplicates: n(totals.duplicates),
                  refused: n(totals.invalid + totals.taken),
                })}
              </p>
              {totals.invalid + totals.taken > 0 && (
                <p>{t("import.refusedWhy", { invalid: n(totals.invalid), taken: n(totals.taken) })}</p>
              )}
            </Alert>
          )}
        </div>
        {totals && totals.problems.length > 0 && (
          <ul aria-label={t("import.problems")} className="flex flex-col gap-1 text-sm text-slate-800">
            {totals.problems.map((p) => (
              <li key={`${p.line}-${p.value}`}>
                {t("import.problem", { line: n(p.line), value: p.value, message: p.message })}
              </li>
            ))}
          </ul>
        )}
        {error ? <Alert>{describeError(error)}</Alert> : null}
      </form>
    </Card>
  );
}
