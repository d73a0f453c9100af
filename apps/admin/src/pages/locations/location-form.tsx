import { Alert, Button, describeError, fieldErrors, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { utcOffset, zoneChoices } from "./zones.ts";

/** A location of the list: configured, seen at tills, or both. */
export type Location = RouterOutputs["locations"]["list"]["items"][number];
type SavedLocation = RouterOutputs["locations"]["set"];

/**
 * Adds a location (`initial` null) or edits one; a location only seen at tills is edited like a configured one whose
 * settings are all the tenant's. `locations.set` creates or replaces, so adding an id that exists is stopped here:
 * it would silently overwrite that location's settings.
 */
export function LocationForm({
  initial,
  existingIds,
  onSaved,
  onCancel,
}: {
  initial: Pick<Location, "id" | "name" | "timezone"> | null;
  existingIds: readonly string[];
  onSaved: (saved: SavedLocation) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation("locations");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [id, setId] = useState(initial?.id ?? "");
  const [name, setName] = useState(initial?.name ?? "");
  const [zone, setZone] = useState(initial?.timezone ?? "");
  const [idTaken, setIdTaken] = useState(false);
  const save = useMutation(
    trpc.locations.set.mutationOptions({
      onSuccess: (saved) => {
        void queryClient.invalidateQueries({ queryKey: trpc.locations.list.queryKey() });
        onSaved(saved);
      },
    }),
  );
  const errors = fieldErrors(save.error);
  // The offsets are the ones in force while the form is open; they only label the choices.
  const zoneOptions = useMemo(() => {
    const now = Date.now();
    return [
      { value: "", label: t("tenantZoneChoice", { zone: format.timezone }) },
      ...zoneChoices(initial?.timezone ?? null).map((z) => ({ value: z, label: `${z} (${utcOffset(z, now)})` })),
    ];
  }, [t, format.timezone, initial?.timezone]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const locationId = initial?.id ?? id.trim();
    if (!initial && existingIds.includes(locationId)) {
      setIdTaken(true);
      return;
    }
    // Blank means "none": no display name, the tenant's zone.
    save.mutate({ id: locationId, name: name.trim() ? name : null, timezone: zone || null });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <div className="grid gap-3 md:grid-cols-3">
        <TextField
          label={t("id")}
          error={errors.id ?? (idTaken ? t("idTaken") : undefined)}
          hint={initial ? t("idFixed") : t("idHint")}
          value={id}
          readOnly={Boolean(initial)}
          className="font-mono read-only:bg-slate-100 read-only:text-slate-700"
          maxLength={64}
          autoComplete="off"
          onChange={(value) => {
            setId(value);
            setIdTaken(false);
          }}
        />
        <TextField
          label={t("name")}
          error={errors.name}
          hint={t("nameHint")}
          value={name}
          maxLength={100}
          autoComplete="off"
          onChange={setName}
        />
        <SelectField
          label={t("timezone")}
          error={errors.timezone}
          hint={t("timezoneHint")}
          value={zone}
          onChange={setZone}
          options={zoneOptions}
        />
      </div>
      {save.error && !Object.keys(errors).length ? <Alert>{describeError(save.error)}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {initial ? t("save") : t("add")}
        </Button>
        {initial && (
          <Button type="button" tone="secondary" onClick={onCancel}>
            {t("cancelEdit")}
          </Button>
        )}
      </div>
    </form>
  );
}
