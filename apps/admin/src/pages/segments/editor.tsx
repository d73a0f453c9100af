import {
  Alert,
  Button,
  describeError,
  Field,
  fieldErrors,
  Input,
  PageHeader,
  type RouterOutputs,
  Spinner,
  Textarea,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useSession } from "../../session.tsx";
import { fromDefinition, isComplete, newCondition, newGroup, toDefinition, type UiGroup } from "./definition.ts";
import { GroupEditor } from "./group-editor.tsx";
import { LivePreview } from "./preview.tsx";

type Segment = RouterOutputs["segments"]["get"];

/** The API takes SQL as lines (one string may not hold a line break), as an analyst writes it in the box. */
const sqlLines = (sql: string) => sql.split(/\r?\n/);

/** A new segment, or the one named by the route's `:id`, loaded before the form starts. */
export function SegmentEditorPage() {
  const { t } = useTranslation("segments");
  const { id } = useParams();
  const trpc = useTRPC();
  const segment = useQuery({ ...trpc.segments.get.queryOptions({ id: id ?? "" }), enabled: Boolean(id) });
  if (!id) return <SegmentEditor segment={null} />;
  if (segment.isPending) return <Spinner label={t("common:loading")} />;
  if (segment.error) return <Alert>{describeError(segment.error)}</Alert>;
  return <SegmentEditor segment={segment.data} />;
}

/**
 * Name, source (the builder, or SQL for analysts and whoever prefers it) and refresh interval, with the live
 * count beside them. Analysts may only write SQL: the API refuses them definitions.
 */
function SegmentEditor({ segment }: { segment: Segment | null }) {
  const { t } = useTranslation("segments");
  const navigate = useNavigate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const analyst = useSession().session?.staff.role === "analyst";
  const [name, setName] = useState(segment?.name ?? "");
  const [interval, setRefreshInterval] = useState(segment?.refreshIntervalMinutes ?? 60);
  const [kind, setKind] = useState<"definition" | "sql">(analyst ? "sql" : (segment?.kind ?? "definition"));
  const [group, setGroup] = useState<UiGroup>(() =>
    segment?.definition ? fromDefinition(segment.definition) : newGroup("all", [newCondition("orders_count")]),
  );
  const [sql, setSql] = useState(segment?.sql ?? "SELECT DISTINCT customer_id\nFROM transactions\nWHERE type = 'sale'");

  const source = useMemo(() => {
    if (kind === "sql") return sql.trim() ? { sql: sqlLines(sql) } : null;
    return isComplete(group) ? { definition: toDefinition(group) } : null;
  }, [kind, sql, group]);

  const onSaved = async ({ segment: saved }: { segment: Segment }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() });
    void navigate(`/segments/${saved.id}`);
  };
  const create = useMutation(trpc.segments.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.segments.update.mutationOptions({ onSuccess: onSaved }));
  const saving = create.isPending || update.isPending;
  const failure = create.error ?? update.error;
  const errors = fieldErrors(failure);

  const save = () => {
    const body = kind === "sql" ? { sql: sqlLines(sql) } : { definition: toDefinition(group) };
    const common = { name, refreshIntervalMinutes: interval, ...body };
    if (segment) update.mutate({ id: segment.id, ...common });
    else create.mutate(common);
  };

  return (
    <>
      <PageHeader
        title={segment ? t("editTitle", { name: segment.name }) : t("newTitle")}
        actions={
          <Link
            to={segment ? `/segments/${segment.id}` : "/segments"}
            className="self-center text-sm text-emerald-800 underline"
          >
            {t("common:cancel")}
          </Link>
        }
      />
      <form
        className="grid items-start gap-4 xl:grid-cols-[minmax(0,1fr)_30rem]"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <div className="flex flex-col gap-4">
          <div className="flex flex-wrap gap-4">
            <Field label={t("name")} error={errors.name}>
              {(ids) => (
                <Input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  className="w-80"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  required
                />
              )}
            </Field>
            <Field label={t("refreshInterval")} hint={t("refreshHint")} error={errors.refreshIntervalMinutes}>
              {(ids) => (
                <Input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  type="number"
                  className="w-32"
                  value={Number.isFinite(interval) ? interval : ""}
                  onChange={(e) => setRefreshInterval(e.target.valueAsNumber)}
                />
              )}
            </Field>
          </div>
          {!analyst && (
            <fieldset className="flex gap-4">
              <legend className="mb-1 text-sm font-medium text-slate-800">{t("sourceKind")}</legend>
              {(["definition", "sql"] as const).map((k) => (
                <label key={k} className="flex items-center gap-2 text-sm text-slate-900">
                  <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                  {t(`sourceKinds.${k}`)}
                </label>
              ))}
            </fieldset>
          )}
          {kind === "definition" ? (
            <GroupEditor group={group} path="definition" depth={1} errors={errors} onChange={setGroup} />
          ) : (
            <Field label={t("sql")} hint={t("sqlHint")} error={errors.sql}>
              {(ids) => (
                <Textarea
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  rows={10}
                  value={sql}
                  onChange={(e) => setSql(e.target.value)}
                />
              )}
            </Field>
          )}
          {failure && <Alert>{describeError(failure)}</Alert>}
          <div>
            <Button type="submit" disabled={saving}>
              {saving ? t("saving") : t("common:save")}
            </Button>
          </div>
        </div>
        <div>
          <LivePreview source={source} />
        </div>
      </form>
    </>
  );
}
