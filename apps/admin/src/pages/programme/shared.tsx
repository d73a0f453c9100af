import {
  Alert,
  Badge,
  Button,
  ConfirmDialog,
  describeError,
  fieldErrors,
  type RouterOutputs,
  useTRPC,
} from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { type ColumnDef, createColumnHelper } from "@tanstack/react-table";
import { createContext, type ReactNode, useContext } from "react";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { EditScheduledOnlyButton, type EditTarget, useEditTarget } from "./schedule.tsx";

export type Programme = RouterOutputs["programme"]["get"];
export type ProgrammeConfig = Programme["config"];

/** A save's answer: the version it made, and when that takes effect. */
export type SavedVersion = { version: number; effectiveFrom: string };

/** Tells the page which version a save made; the tabs start again from it, so the page says it. */
const SavedVersion = createContext<(saved: SavedVersion) => void>(() => {});
export const SavedVersionProvider = SavedVersion.Provider;

/** After any change the programme, its versions and the simulator's answers are stale. */
export function useProgrammeChanged() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const announce = useContext(SavedVersion);
  return (saved?: SavedVersion) => {
    if (saved) announce(saved);
    return queryClient.invalidateQueries({ queryKey: trpc.programme.pathKey() });
  };
}

export interface ChangeState {
  isPending: boolean;
  error: unknown;
}

/** The server's field errors of a failed save, to show at the fields. */
export const errorsOf = (change: ChangeState) => (change.error ? fieldErrors(change.error) : {});

/** A form's save button (with `children` beside it), and why the last save was refused. */
export function SaveBar({ change, children }: { change: ChangeState; children?: ReactNode }) {
  const { t } = useTranslation("programme");
  return (
    <div className="flex flex-col gap-2">
      {change.error ? <Alert>{describeError(change.error)}</Alert> : null}
      <EditScheduledOnlyButton error={change.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={change.isPending}>
          {t("common:save")}
        </Button>
        {children}
      </div>
    </div>
  );
}

/** Rules, stamp cards and rewards: the lists whose rows can be edited or switched off. */
type Switchable = "rules" | "cards" | "rewards";

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation("programme");
  return <Badge tone={enabled ? "good" : "neutral"}>{t(enabled ? "enabled" : "disabled")}</Badge>;
}

/** A row's Edit button and, while it is on, Disable behind a confirmation saying what disabling does. */
export function RowActions({
  list,
  id,
  enabled,
  onEdit,
  onDisable,
}: {
  list: Switchable;
  id: string;
  enabled: boolean;
  onEdit: () => void;
  onDisable: () => void;
}) {
  const { t } = useTranslation("programme");
  return (
    <div className="flex gap-2">
      <Button tone="secondary" onClick={onEdit} aria-label={t(`${list}.editOne`, { id })}>
        {t("common:edit")}
      </Button>
      {enabled && (
        <ConfirmDialog
          trigger={
            <Button tone="ghost" aria-label={t(`${list}.disableOne`, { id })}>
              {t("disable")}
            </Button>
          }
          title={t(`${list}.disableTitle`, { id })}
          description={t(`${list}.disableText`)}
          confirmLabel={t("disable")}
          cancelLabel={t("common:cancel")}
          onConfirm={onDisable}
        />
      )}
    </div>
  );
}

/**
 * A switchable list's table: the list's own columns, then each row's status and its Edit and Disable, above it why
 * the last disable was refused.
 */
export function SwitchableTable<Row extends { id: string; enabled: boolean }>({
  list,
  caption,
  columns,
  rows,
  onEdit,
  disable,
}: {
  list: Switchable;
  caption: string;
  // biome-ignore lint/suspicious/noExplicitAny: column value types differ per column
  columns: ColumnDef<Row, any>[];
  rows: Row[];
  onEdit: (row: Row) => void;
  disable: { mutate: (input: { id: string } & EditTarget) => void; error: unknown };
}) {
  const { t } = useTranslation("programme");
  const target = useEditTarget();
  const column = createColumnHelper<Row>();
  const withSwitches = [
    ...columns,
    column.accessor((row) => row.enabled, {
      id: "enabled",
      header: t("rules.status"),
      cell: (c) => <EnabledBadge enabled={c.getValue()} />,
    }),
    column.display({
      id: "actions",
      header: t("actions"),
      cell: ({ row: { original } }) => (
        <RowActions
          list={list}
          id={original.id}
          enabled={original.enabled}
          onEdit={() => onEdit(original)}
          onDisable={() => disable.mutate({ ...target, id: original.id })}
        />
      ),
    }),
  ];
  return (
    <>
      {disable.error ? <Alert>{describeError(disable.error)}</Alert> : null}
      <EditScheduledOnlyButton error={disable.error} />
      <DataTable caption={caption} columns={withSwitches} rows={rows} />
    </>
  );
}
