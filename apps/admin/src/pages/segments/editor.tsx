import { Alert, Button, describeError, fieldErrors, type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { may, mayChangeSegment } from "../../permissions.ts";
import { useSession } from "../../session.tsx";
import { EditorHeader } from "../../ui/editor-header.tsx";
import { NumberField, TextareaField, TextField } from "../../ui/fields.tsx";
import { NewOrLoaded } from "../../ui/query-result.tsx";
import { fromDefinition, isComplete, newCondition, newGroup, toDefinition, type UiGroup } from "./definition.ts";
import { GroupEditor } from "./group-editor.tsx";
import { LivePreview } from "./preview.tsx";

type Segment = RouterOutputs["segments"]["get"];

/** The API takes SQL as lines (one string may not hold a line break), as an analyst writes it in the box. */
const sqlLines = (sql: string) => sql.split(/\r?\n/);

/** A new segment, or the one named by the route's `:id`, loaded before the form starts. */
export function SegmentEditorPage() {
  const { id } = useParams();
  const trpc = useTRPC();
  const viewer = useSession().session?.staff;
  const segment = useQuery({ ...trpc.segments.get.queryOptions({ id: id ?? "" }), enabled: Boolean(id) });
  return (
    <NewOrLoaded id={id} query={segment}>
      {(loaded) =>
        loaded && !mayChangeSegment(viewer, loaded) ? <NotYours segment={loaded} /> : <SegmentEditor segment={loaded} />
      }
    </NewOrLoaded>
  );
}

/** Reached by its address only: the page has no form the API would refuse, and says who can change the segment. */
function NotYours({ segment }: { segment: Segment }) {
  const { t } = useTranslation("segments");
  return (
    <>
      <EditorHeader title={segment.name} cancelTo={`/segments/${segment.id}`} />
      <Alert tone="info">{t("notYours")}</Alert>
      <p className="mt-4">
        <Link to="/segments" className="text-sm text-emerald-800 underline">
          {t("back")}
        </Link>
      </p>
    </>
  );
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
  const sqlOnly = !may(useSession().session?.staff.role, "writeSegmentDefinitions");
  const [name, setName] = useState(segment?.name ?? "");
  const [interval, setRefreshInterval] = useState(segment?.refreshIntervalMinutes ?? 60);
  const [kind, setKind] = useState<"definition" | "sql">(sqlOnly ? "sql" : (segment?.kind ?? "definition"));
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
      <EditorHeader
        title={segment ? t("editTitle", { name: segment.name }) : t("newTitle")}
        cancelTo={segment ? `/segments/${segment.id}` : "/segments"}
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
            <TextField
              label={t("name")}
              error={errors.name}
              className="w-80"
              value={name}
              onChange={setName}
              required
            />
            <NumberField
              label={t("refreshInterval")}
              hint={t("refreshHint")}
              error={errors.refreshIntervalMinutes}
              value={interval}
              onChange={setRefreshInterval}
            />
          </div>
          {!sqlOnly && (
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
            <TextareaField
              label={t("sql")}
              hint={t("sqlHint")}
              error={errors.sql}
              rows={10}
              value={sql}
              onChange={setSql}
            />
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
