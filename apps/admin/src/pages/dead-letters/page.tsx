import { Badge, Button, PageHeader, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField } from "../../ui/fields.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { messages } from "./messages.ts";

type Rejection = RouterOutputs["transactions"]["rejections"]["items"][number];
type ReasonCode = Rejection["code"] | undefined;
/** The reason codes the pipeline records, in the order the messages list them. */
const reasonCodes = Object.keys(messages.en.codes) as NonNullable<ReasonCode>[];
const column = createColumnHelper<Rejection>();

export default function DeadLettersPage() {
  const { t } = useTranslation("dead-letters");
  const format = useFormat();
  const trpc = useTRPC();
  const [code, setCode] = useState<ReasonCode>(undefined);
  const rejections = useInfiniteQuery(
    trpc.transactions.rejections.infiniteQueryOptions(
      { limit: 50, ...(code ? { code } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const columns = [
    column.accessor("rejectedAt", { header: t("when"), cell: (c) => format.dateTime(c.getValue()) }),
    column.accessor("externalId", { header: t("externalId"), cell: (c) => <code>{c.getValue()}</code> }),
    column.accessor("code", {
      header: t("code"),
      cell: (c) => (
        <span className="flex flex-col items-start gap-1">
          <Badge tone="bad">{t(`codes.${c.getValue()}`, { defaultValue: c.getValue() })}</Badge>
          <code className="text-xs text-slate-700">{c.getValue()}</code>
        </span>
      ),
    }),
    column.accessor("message", { header: t("message"), enableSorting: false }),
  ];
  return (
    <>
      <PageHeader title={t("title")} />
      <p className="mb-4 max-w-3xl text-sm text-slate-700">{t("intro")}</p>
      <div className="mb-4 w-72">
        <SelectField
          label={t("reason")}
          value={code ?? ""}
          onChange={(c) => setCode(c || undefined)}
          options={[
            { value: "", label: t("allReasons") },
            ...reasonCodes.map((c) => ({ value: c, label: t(`codes.${c}`) })),
          ]}
        />
      </div>
      <QueryResult query={rejections}>
        {(data) => (
          <DataTable
            caption={t("caption")}
            columns={columns}
            rows={data.pages.flatMap((p) => p.items)}
            empty={t("empty")}
          />
        )}
      </QueryResult>
      {rejections.hasNextPage && (
        <Button tone="secondary" className="mt-3" onClick={() => void rejections.fetchNextPage()}>
          {t("more")}
        </Button>
      )}
    </>
  );
}
