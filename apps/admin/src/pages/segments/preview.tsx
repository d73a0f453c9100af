import { Alert, describeError, type RouterInputs, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { useTierNames } from "../../ui/tier-names.ts";
import { CustomerLink } from "./customer-link.tsx";

type Source = Pick<RouterInputs["segments"]["preview"], "definition" | "sql">;
type Sample = { customerId: string; tier: string | null; joinedAt: string | null };
const column = createColumnHelper<Sample>();

/** How long the builder must be still before the count is asked again: one query per pause, not per key. */
const debounceMs = 400;

/**
 * The live member count and a sample of what is being built, asked again whenever the source settles.
 * `source` is null while the builder holds something not worth asking about (an empty group).
 */
export function LivePreview({ source }: { source: Source | null }) {
  const { t } = useTranslation("segments");
  const format = useFormat();
  const trpc = useTRPC();
  const tierNames = useTierNames();
  const preview = useMutation(trpc.segments.preview.mutationOptions());
  const [asked, setAsked] = useState(false);
  const key = source ? JSON.stringify(source) : null;

  useEffect(() => {
    if (!key) return;
    const timer = setTimeout(() => {
      setAsked(true);
      preview.mutate({ ...JSON.parse(key), sampleSize: 10 });
    }, debounceMs);
    return () => clearTimeout(timer);
  }, [key]);

  return (
    <section aria-labelledby="live-preview" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="live-preview" className="mb-2 text-base font-semibold text-slate-900">
        {t("preview")}
      </h2>
      <div aria-live="polite">
        {!key && <p className="text-sm text-slate-700">{t("previewIncomplete")}</p>}
        {key && preview.isPending && <Spinner label={t("counting")} />}
        {key && preview.error && <Alert>{describeError(preview.error)}</Alert>}
        {key && preview.data && !preview.isPending && (
          <>
            <p className="text-lg text-slate-900" data-testid="live-count">
              {t(preview.data.exact ? "liveCount" : "liveCountEstimate", {
                count: preview.data.members,
                formatted: format.number(preview.data.members),
              })}
            </p>
            {!preview.data.exact && <p className="text-sm text-slate-700">{t("estimateHint")}</p>}
          </>
        )}
        {key && !asked && <p className="text-sm text-slate-700">{t("previewSoon")}</p>}
      </div>
      {key && preview.data && preview.data.sample.length > 0 && (
        <div className="mt-3">
          <DataTable
            caption={t("sampleCaption")}
            rows={preview.data.sample}
            columns={[
              column.accessor("customerId", { header: t("customer"), cell: (c) => <CustomerLink id={c.getValue()} /> }),
              column.accessor("tier", {
                header: t("tier"),
                cell: (c) => {
                  const tier = c.getValue();
                  return tier === null ? "—" : (tierNames.get(tier) ?? tier);
                },
              }),
              column.accessor("joinedAt", {
                header: t("joined"),
                cell: (c) => (c.getValue() ? format.date(c.getValue()!) : "—"),
              }),
            ]}
          />
        </div>
      )}
    </section>
  );
}
