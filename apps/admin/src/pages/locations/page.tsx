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

  const zoneText = (zone: string | null) =>
    zone ? t("zoneNow", { zone, offset: utcOffset(zone, Date.now()) }) : t("tenantZone", { zone: format.timezone });
  const columns = [
    column.accessor("id", { header: t("id"), cell: (c) => <code className="font-mono">{c.getValue()}</code> }),
    column.accessor("name", {
      header: t("name"),
      cell: (c) => c.getValue() ?? <span className="text-slate-600">{t("noName")}</span>,
    }),
    column.accessor("timezone", { header: t("timezone"), cell: (c) => zoneText(c.getValue()) }),
    column.accessor("updatedAt", { header: t("updatedAt"), cell: (c) => format.dateTime(c.getValue()) }),
    column.display({
      id: "actions",
      header: t("actions"),
      cell: (c) => (
        <Button
          tone="secondary"
          aria-label={t("editOf", { id: c.row.original.id })}
          onClick={() => startEditing(c.row.original)}
        >
          {t("edit")}
        </Button>
      ),
    }),
  ];

  return (
    <>
      <PageHeader title={t("title")} />
      <div className="flex flex-col gap-4">
        <Card title={t("about")}>
          <div className="flex flex-col gap-2 text-sm text-slate-700">
            <p>{t("intro", { zone: format.timezone })}</p>
            <p>{t("followsLocation")}</p>
            <p>{t("followsTenant")}</p>
          </div>
        </Card>
        <div ref={formRef} tabIndex={-1} className="outline-none">
          <Card title={editing ? t("editLocation", { id: editing.id }) : t("newLocation")}>
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
          {(data) => <DataTable caption={t("caption")} columns={columns} rows={data.items} empty={t("empty")} />}
        </QueryResult>
      </div>
    </>
  );
}
