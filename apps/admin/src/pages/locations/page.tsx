import { Alert, Button, Card, PageHeader, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { type Location, LocationForm } from "./location-form.tsx";
import { utcOffset } from "./zones.ts";

const column = createColumnHelper<Location>();

export default function LocationsPage() {
  const { t } = useTranslation("locations");
  const format = useFormat();
  const trpc = useTRPC();
  const locations = useQuery(trpc.locations.list.queryOptions());
  const [editing, setEditing] = useState<Location | null>(null);
  // A new key per save empties the form (or leaves edit mode) for the next location.
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);
  const formRef = useRef<HTMLDivElement>(null);

  const startEditing = (location: Location) => {
    setEditing(location);
    setSaved(null);
    setFormKey((k) => k + 1);
    // Keyboard and screen-reader users land where the edit happens, not at the table's far end.
    formRef.current?.scrollIntoView({ block: "nearest" });
    formRef.current?.focus();
  };
  const leaveForm = (savedId: string | null) => {
    setEditing(null);
    setSaved(savedId);
    setFormKey((k) => k + 1);
  };

  const formTitle = !editing
    ? t("newLocation")
    : editing.configured
      ? t("editLocation", { id: editing.id })
      : t("setZoneTitle", { id: editing.id });
  const zoneText = (zone: string | null) =>
    zone ? t("zoneNow", { zone, offset: utcOffset(zone, Date.now()) }) : t("tenantZone", { zone: format.timezone });
  const columns = [
    column.accessor("id", { header: t("id"), cell: (c) => <code className="font-mono">{c.getValue()}</code> }),
    column.accessor("name", {
      header: t("name"),
      cell: (c) => c.getValue() ?? <span className="text-slate-600">{t("noName")}</span>,
    }),
    column.accessor("timezone", { header: t("timezone"), cell: (c) => zoneText(c.getValue()) }),
    column.accessor("sales", {
      header: t("sales", { days: locations.data?.seenDays ?? 365 }),
      cell: (c) => format.number(c.getValue()),
    }),
    column.accessor("lastSaleAt", {
      header: t("lastSaleAt"),
      cell: (c) => {
        const at = c.getValue();
        return at ? format.dateTime(at) : <span className="text-slate-600">{t("noSales")}</span>;
      },
    }),
    column.accessor("updatedAt", {
      header: t("updatedAt"),
      cell: (c) => {
        const at = c.getValue();
        return at ? format.dateTime(at) : <span className="text-slate-600">{t("notConfigured")}</span>;
      },
    }),
    column.display({
      id: "actions",
      header: t("actions"),
      cell: (c) => {
        const { id, configured } = c.row.original;
        // A location only seen at tills has no settings yet: its action is the one thing to decide, its zone.
        return (
          <Button
            tone="secondary"
            aria-label={configured ? t("editOf", { id }) : t("setZoneOf", { id })}
            onClick={() => startEditing(c.row.original)}
          >
            {configured ? t("edit") : t("setZone")}
          </Button>
        );
      },
    }),
  ];

  return (
    <>
      <PageHeader title={t("title")} />
      <div className="flex flex-col gap-4">
        <Card title={t("about")}>
          <div className="flex flex-col gap-2 text-sm text-slate-700">
            <p>{t("intro", { zone: format.timezone, days: locations.data?.seenDays ?? 365 })}</p>
            <p>{t("followsLocation")}</p>
            <p>{t("followsTenant")}</p>
          </div>
        </Card>
        <div ref={formRef} tabIndex={-1} className="outline-none">
          <Card title={formTitle}>
            <LocationForm
              key={formKey}
              initial={editing}
              existingIds={locations.data?.items.map((l) => l.id) ?? []}
              onSaved={(location) => leaveForm(location.id)}
              onCancel={() => leaveForm(null)}
            />
          </Card>
        </div>
        {saved && <Alert tone="success">{t("saved", { id: saved })}</Alert>}
        <QueryResult query={locations}>
          {(data) => (
            <>
              {data.seenUnavailable && <Alert tone="info">{t("seenUnavailable")}</Alert>}
              <DataTable
                caption={t("caption")}
                columns={columns}
                rows={data.items}
                empty={data.seenUnavailable ? t("emptyConfigured") : t("empty", { days: data.seenDays })}
              />
            </>
          )}
        </QueryResult>
      </div>
    </>
  );
}
