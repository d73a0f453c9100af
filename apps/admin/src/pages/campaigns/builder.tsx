import { Alert, Button, Card, describeError, fieldErrors, useTRPC } from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { EditorHeader } from "../../ui/editor-header.tsx";
import { NumberField, SelectField, TextField } from "../../ui/fields.tsx";
import { NewOrLoaded } from "../../ui/query-result.tsx";
import {
  type Campaign,
  type Definition,
  definitionToSave,
  emptyDefinition,
  stepOf,
  type UiStep,
} from "./definition.ts";
import { afterTriggerChange, type LimitsDraft, savedDraft, suggestedDraft, withLimits } from "./limits.ts";
import { LimitsFields } from "./limits-fields.tsx";
import { StepsEditor } from "./steps-editor.tsx";
import { TriggerFields } from "./trigger-fields.tsx";

/** A new campaign, or a new version of the one named by `:id`, loaded before the form starts. */
export function CampaignBuilderPage() {
  const { id } = useParams();
  const trpc = useTRPC();
  const campaign = useQuery({ ...trpc.campaigns.get.queryOptions({ id: id ?? "" }), enabled: Boolean(id) });
  return (
    <NewOrLoaded id={id} query={campaign}>
      {(loaded) => <CampaignBuilder campaign={loaded} />}
    </NewOrLoaded>
  );
}

type Timing = Definition["delivery"] extends infer D
  ? NonNullable<D> extends { timing?: infer T }
    ? NonNullable<T>
    : never
  : never;

/**
 * Name, trigger and audience, steps, limits, control group and delivery time. Saved as a draft (or a new version,
 * keeping the campaign's status); starting it is the campaign page's move, so nothing goes out by a save.
 */
function CampaignBuilder({ campaign }: { campaign: Campaign | null }) {
  const { t } = useTranslation("campaigns");
  const navigate = useNavigate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const initial: Definition = campaign ? campaign.definition : emptyDefinition();
  const [name, setName] = useState(initial.name);
  const [trigger, setTrigger] = useState(initial.trigger);
  const [audience, setAudience] = useState(initial.audience);
  const [steps, setSteps] = useState<UiStep[]>(() => initial.actions.map(stepOf));
  // Null until the field is edited: the share goes back as it was saved (the API takes any share, 0.125 or 0.004,
  // and a percentage rounded for the field would move who is held out of a live campaign).
  const [controlPercent, setControlPercent] = useState<number | null>(null);
  const savedPercent = Number(((initial.controlGroup?.share ?? 0) * 100).toFixed(2));
  const [timing, setTiming] = useState<Timing>(initial.delivery?.timing ?? { at: "immediately" });
  const [limits, setLimits] = useState<LimitsDraft>(() =>
    campaign ? savedDraft(initial) : suggestedDraft(initial.trigger.type),
  );
  const changeTrigger = (next: Definition["trigger"]) => {
    if (next.type !== trigger.type) setLimits((l) => afterTriggerChange(l, next.type));
    setTrigger(next);
  };

  const onSaved = async ({ id }: { id: string }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() });
    void navigate(`/campaigns/${id}`);
  };
  const create = useMutation(trpc.campaigns.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.campaigns.update.mutationOptions({ onSuccess: onSaved }));
  const failure = create.error ?? update.error;
  const issues = fieldErrors(failure);
  // Creating reports paths from the definition's root; a new version's are under `definition.`.
  const error = (path: string) => issues[path] ?? issues[`definition.${path}`];
  const saving = create.isPending || update.isPending;

  const save = () => {
    // Shown at the field already; the server would refuse the same.
    if (limits.quietHours && limits.quietHours.start === limits.quietHours.end) return;
    const { status: _keep, ...rest } = initial;
    const edited: Definition = {
      ...rest,
      name,
      trigger,
      audience,
      actions: steps.map((s) => s.action),
      controlGroup:
        controlPercent === null
          ? (initial.controlGroup ?? null)
          : controlPercent > 0
            ? { share: controlPercent / 100 }
            : null,
      delivery: { ...initial.delivery, timing },
    };
    const definition = definitionToSave(withLimits(edited, limits), !campaign);
    if (campaign) update.mutate({ id: campaign.id, definition });
    else create.mutate({ ...definition, status: "draft" });
  };

  return (
    <>
      <EditorHeader
        title={campaign ? t("editTitle", { name: campaign.name }) : t("newTitle")}
        cancelTo={campaign ? `/campaigns/${campaign.id}` : "/campaigns"}
      />
      <form
        className="flex max-w-5xl flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <TextField label={t("name")} error={error("name")} className="w-96" value={name} onChange={setName} />
        <Card title={t("whenWho")}>
          <TriggerFields
            trigger={trigger}
            audience={audience}
            error={error}
            onTrigger={changeTrigger}
            onAudience={setAudience}
          />
        </Card>
        <Card title={t("steps")}>
          <StepsEditor steps={steps} error={error} onChange={setSteps} />
        </Card>
        <Card title={t("limits.title")}>
          <LimitsFields limits={limits} error={error} onChange={setLimits} />
        </Card>
        <Card title={t("deliveryAndControl")}>
          <div className="flex flex-wrap items-end gap-3">
            <SelectField
              label={t("timing")}
              value={timing.at}
              onChange={(at) => setTiming(at === "local_time" ? { at, time: "18:00" } : { at })}
              options={(["immediately", "local_time"] as const).map((at) => ({ value: at, label: t(`timings.${at}`) }))}
            />
            {timing.at === "local_time" && (
              <TextField
                label={t("localTime")}
                error={error("delivery.timing.time")}
                type="time"
                value={timing.time}
                onChange={(time) => setTiming({ at: "local_time", time })}
              />
            )}
            <NumberField
              label={t("controlGroup")}
              hint={t("controlHint")}
              error={error("controlGroup.share")}
              min={0}
              max={50}
              step="any"
              className="w-24"
              value={controlPercent ?? savedPercent}
              onChange={setControlPercent}
            />
          </div>
        </Card>
        {failure && <Alert>{describeError(failure)}</Alert>}
        <div>
          <Button type="submit" disabled={saving}>
            {saving ? t("saving") : campaign ? t("saveVersion") : t("saveDraft")}
          </Button>
          {campaign && <p className="mt-2 text-sm text-slate-700">{t("saveVersionHint")}</p>}
        </div>
      </form>
    </>
  );
}
