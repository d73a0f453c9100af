import { useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { NumberField, SelectField, TextField } from "../../ui/fields.tsx";
import { fromZonedInput, toZonedInput } from "../../ui/zoned-time.ts";
import {
  type Audience,
  audienceTriggers,
  defaultSchedule,
  defaultTrigger,
  type Schedule,
  type Trigger,
  type TriggerType,
  triggerTypes,
} from "./definition.ts";

type Errors = (path: string) => string | undefined;

/** What starts the campaign and whom it may reach: the trigger's own fields, the schedule of a broadcast, the audience. */
export function TriggerFields({
  trigger,
  audience,
  error,
  onTrigger,
  onAudience,
}: {
  trigger: Trigger;
  audience: Audience;
  error: Errors;
  onTrigger: (next: Trigger) => void;
  onAudience: (next: Audience) => void;
}) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const segments = useQuery(trpc.segments.list.queryOptions());
  const segmentOptions = [
    { value: "", label: t("chooseSegment") },
    ...(segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
  ];
  const changeType = (type: TriggerType) => {
    onTrigger(defaultTrigger(type));
    if (audienceTriggers.includes(type) && audience.kind === "none") onAudience({ kind: "all_members" });
    if (!audienceTriggers.includes(type)) onAudience({ kind: "none" });
  };
  const set = (patch: Record<string, unknown>) => onTrigger({ ...trigger, ...patch } as Trigger);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <SelectField
          label={t("trigger")}
          error={error("trigger")}
          value={trigger.type}
          onChange={changeType}
          options={triggerTypes.map((type) => ({ value: type, label: t(`triggers.${type}`) }))}
        />
        {trigger.type === "segment_entered" && (
          <SelectField
            label={t("segment")}
            error={error("trigger.segmentId")}
            value={trigger.segmentId}
            onChange={(segmentId) => set({ segmentId })}
            options={segmentOptions}
          />
        )}
        {trigger.type === "tier_reached" && (
          <TextField
            label={t("tierId")}
            hint={t("tierHint")}
            error={error("trigger.tierId")}
            value={trigger.tierId ?? ""}
            onChange={(tierId) => onTrigger(tierId ? { type: "tier_reached", tierId } : { type: "tier_reached" })}
          />
        )}
        {trigger.type === "tier_gap" && (
          <>
            <TextField
              label={t("tierId")}
              error={error("trigger.tierId")}
              value={trigger.tierId}
              onChange={(tierId) => set({ tierId })}
            />
            <NumberField
              label={t("gapWithin")}
              hint={t("gapWithinHint")}
              value={trigger.within}
              error={error("trigger.within")}
              onChange={(within) => set({ within })}
            />
          </>
        )}
        {(trigger.type === "points_expiring" || trigger.type === "birthday") && (
          <NumberField
            label={t("daysBefore")}
            value={trigger.daysBefore}
            error={error("trigger.daysBefore")}
            onChange={(daysBefore) => set({ daysBefore })}
          />
        )}
        {trigger.type === "inactive" && (
          <NumberField
            label={t("inactiveDays")}
            value={trigger.days}
            error={error("trigger.days")}
            onChange={(days) => set({ days })}
          />
        )}
        {trigger.type === "domain_event" && (
          <TextField
            label={t("eventType")}
            hint={t("eventTypeHint")}
            error={error("trigger.eventType")}
            value={trigger.eventType}
            onChange={(eventType) => set({ eventType })}
          />
        )}
      </div>
      {trigger.type === "registered" && (
        <RegisteredViaFields via={trigger.via} error={error("trigger.via")} onChange={(via) => onTrigger(via)} />
      )}
      {trigger.type === "broadcast" && (
        <ScheduleFields
          schedule={trigger.schedule}
          error={error}
          onChange={(schedule) => onTrigger({ type: "broadcast", schedule })}
        />
      )}
      {audienceTriggers.includes(trigger.type) && (
        <div className="flex flex-wrap items-end gap-3">
          <SelectField
            label={t("audience")}
            error={error("audience")}
            value={audience.kind === "segment" ? "segment" : "all_members"}
            onChange={(kind) => onAudience(kind === "segment" ? { kind, segmentId: "" } : { kind })}
            options={(["all_members", "segment"] as const).map((kind) => ({
              value: kind,
              label: t(`audiences.${kind}`),
            }))}
          />
          {audience.kind === "segment" && (
            <SelectField
              label={t("segment")}
              error={error("audience.segmentId")}
              value={audience.segmentId}
              onChange={(segmentId) => onAudience({ kind: "segment", segmentId })}
              options={segmentOptions}
            />
          )}
        </div>
      )}
    </div>
  );
}

type Registered = Extract<Trigger, { type: "registered" }>;
type Source = NonNullable<Registered["via"]>[number];
const sources: readonly Source[] = ["app", "till"];

/**
 * Which new customers a `registered` campaign welcomes: app sign-ups, customers a till creates, or both. App
 * sign-ups alone are saved without `via`, as before there was a choice; none ticked is refused by the API, whose
 * message shows under the boxes.
 */
function RegisteredViaFields({
  via = ["app"],
  error,
  onChange,
}: {
  via: Registered["via"];
  error: string | undefined;
  onChange: (next: Registered) => void;
}) {
  const { t } = useTranslation("campaigns");
  return (
    <CheckboxGroup
      legend={t("registeredVia")}
      hint={t("registeredViaHint")}
      error={error}
      options={sources.map((value) => ({ value, label: t(`registeredSources.${value}`) }))}
      value={via}
      onChange={(next) =>
        onChange(next.length === 1 && next[0] === "app" ? { type: "registered" } : { type: "registered", via: next })
      }
    />
  );
}

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** When a broadcast runs: once at an instant, or at a local time daily, on weekdays, or on a day of the month. */
function ScheduleFields({
  schedule,
  error,
  onChange,
}: {
  schedule: Schedule;
  error: Errors;
  onChange: (next: Schedule) => void;
}) {
  const { t } = useTranslation("campaigns");
  // In the tenant's zone, as the recurring times are: not the browser's, which may be another's.
  const { timezone } = useFormat();
  return (
    <div className="flex flex-wrap items-end gap-3">
      <SelectField
        label={t("repeat")}
        value={schedule.repeat}
        onChange={(repeat) => onChange(defaultSchedule(repeat))}
        options={(["once", "daily", "weekly", "monthly"] as const).map((r) => ({ value: r, label: t(`repeats.${r}`) }))}
      />
      {schedule.repeat === "once" ? (
        <TextField
          label={t("sendAt")}
          error={error("trigger.schedule.at") ?? error("trigger.schedule")}
          type="datetime-local"
          step={1}
          hint={t("sendAtHint", { zone: timezone })}
          value={toZonedInput(schedule.at, timezone)}
          onChange={(at) => onChange({ repeat: "once", at: fromZonedInput(at, timezone) ?? "" })}
        />
      ) : (
        <TextField
          label={t("atTime")}
          error={error("trigger.schedule.time")}
          type="time"
          value={schedule.time}
          onChange={(time) => onChange({ ...schedule, time })}
        />
      )}
      {schedule.repeat === "weekly" && (
        <fieldset className="flex flex-wrap gap-2">
          <legend className="mb-1 text-sm font-medium text-slate-800">{t("weekdaysLabel")}</legend>
          {weekdays.map((d) => (
            <label key={d} className="flex items-center gap-1 text-sm text-slate-900">
              <input
                type="checkbox"
                checked={schedule.weekdays.includes(d)}
                onChange={(e) =>
                  onChange({
                    ...schedule,
                    weekdays: e.target.checked
                      ? [...schedule.weekdays, d].sort()
                      : schedule.weekdays.filter((w) => w !== d),
                  })
                }
              />
              {t(`weekdays.${d}`)}
            </label>
          ))}
        </fieldset>
      )}
      {schedule.repeat === "monthly" && (
        <NumberField
          label={t("dayOfMonth")}
          value={schedule.dayOfMonth}
          error={error("trigger.schedule.dayOfMonth")}
          onChange={(dayOfMonth) => onChange({ ...schedule, dayOfMonth })}
        />
      )}
    </div>
  );
}
