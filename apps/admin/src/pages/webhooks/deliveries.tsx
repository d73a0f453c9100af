import { Alert, Badge, Button, describeError, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField } from "../../ui/fields.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

type Delivery = RouterOutputs["webhooks"]["deliveries"]["list"]["items"][number];
type Status = Delivery["status"];
const statuses: Status[] = ["pending", "delivered", "failed"];
const statusTone = { pending: "neutral", delivered: "good", failed: "bad" } as const;
const column = createColumnHelper<Delivery>();

/** How often the newest page is read again: deliveries go out within seconds, and retries change them. */
const refreshMs = 2_000;

/** An endpoint's deliveries, newest first, pages of 25, with their outcome and a replay per delivery. */
export function Deliveries({ endpointId }: { endpointId: string }) {
  const { t } = useTranslation("webhooks");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status | undefined>(undefined);
  // The cursors of the pages before this one, to go back to newer deliveries.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.list.queryOptions({
      endpointId,
      limit: 25,
      ...(status ? { status } : {}),
      ...(after ? { after } : {}),
    }),
    refetchInterval: after ? false : refreshMs,
  });
  const [replayed, setReplayed] = useState<"replayed" | "alreadyQueued" | null>(null);
  const replay = useMutation(
    trpc.webhooks.deliveries.replay.mutationOptions({
      onSuccess: (result) => {
        setReplayed(result.replayed > 0 ? "replayed" : "alreadyQueued");
        void queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.list.queryKey() });
      },
    }),
  );
  const columns = [
    column.accessor("createdAt", { header: t("created"), cell: (c) => format.dateTime(c.getValue()) }),
    column.accessor("eventType", { header: t("event"), cell: (c) => <code>{c.getValue()}</code> }),
    column.accessor("status", {
      header: t("status"),
      cell: (c) => <Badge tone={statusTone[c.getValue()]}>{t(c.getValue())}</Badge>,
    }),
    column.accessor("attempts", { header: t("attempts") }),
    column.accessor("lastStatusCode", { header: t("response"), cell: (c) => c.getValue() ?? "—" }),
    column.accessor("lastError", {
      header: t("lastError"),
      enableSorting: false,
      cell: (c) => <span className="break-words">{c.getValue() ?? "—"}</span>,
    }),
    column.display({
      id: "replay",
      header: t("actions"),
      cell: (c) =>
        c.row.original.status === "pending" ? null : (
          <Button
            tone="secondary"
            aria-label={t("replayOf", { id: c.row.original.id })}
            disabled={replay.isPending}
            onClick={() => replay.mutate({ id: c.row.original.id })}
          >
            {t("replay")}
          </Button>
        ),
    }),
  ];
  return (
    <section aria-labelledby="webhook-deliveries" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="webhook-deliveries" className="text-lg font-semibold text-slate-900">
          {t("deliveries")}
        </h2>
        <div className="w-48">
          <SelectField
            label={t("filterStatus")}
            value={status ?? ""}
            onChange={(s) => {
              setStatus(s || undefined);
              setCursors([undefined]);
            }}
            options={[{ value: "", label: t("anyStatus") }, ...statuses.map((s) => ({ value: s, label: t(s) }))]}
          />
        </div>
      </div>
      {replayed && !replay.error && <Alert tone="info">{t(replayed)}</Alert>}
      {replay.error && <Alert>{describeError(replay.error)}</Alert>}
      <QueryResult query={deliveries}>
        {(data) => (
          <DataTable caption={t("deliveriesCaption")} columns={columns} rows={data.items} empty={t("noDeliveries")} />
        )}
      </QueryResult>
      <div className="flex gap-2">
        {cursors.length > 1 && (
          <Button tone="secondary" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t("newer")}
          </Button>
        )}
        {deliveries.data?.nextCursor && (
          <Button tone="secondary" onClick={() => setCursors((c) => [...c, deliveries.data.nextCursor!])}>
            {t("older")}
          </Button>
        )}
      </div>
    </section>
  );
}
