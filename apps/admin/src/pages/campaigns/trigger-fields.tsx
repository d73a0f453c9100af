import { Field, Input, Select, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import {
  type Audience,
  audienceTriggers,
  defaultSchedule,
  defaultTrigger,
  fromLocalInput,
  type Schedule,
  type Trigger,
  type TriggerType,
  toLocalInput,
  triggerTypes,
} from "./definition.ts";

type Errors = (path: string) => string | undefined;

/** A number input that hands on whole numbers (an empty box is NaN, which the server names at its field). */
export function NumberField({
  label,
  value,
  error,
  onChange,
}: {
  label: string;
  value: number | undefined;
  error?: string | undefined;
  onChange: (n: number) => void;
}) {
  return (
    <Field label={label} error={error}>
      {(ids) => (
        <Input
          id={ids.id}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid}
          type="number"
          className="w-32"
          value={value !== undefined && Number.isFinite(value) ? value : ""}
          onChange={(e) => onChange(e.target.valueAsNumber)}
        />
      )}
    </Field>
  );
}

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
  const segmentOptions = (
    <>
      <option value="">{t("chooseSegment")}</option>
      {segments.data?.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </>
  );
  const changeType = (type: TriggerType) => {
    onTrigger(defaultTrigger(type));
    if (audienceTriggers.includes(type) && audience.kind === "none") onAudience({ kind: "all_members" });
    if (!audienceTriggers.includes(type)) onAudience({ kind: "none" });
  };
  const set = (patch: Record<string, unknown>) => onTrigger({ ...trigger, ...patch } as Trigger);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("trigger")} error={error("trigger")}>
          {(ids) => (
            <Select id={ids.id} value={trigger.type} onChange={(e) => changeType(e.target.value as TriggerType)}>
              {triggerTypes.map((type) => (
                <option key={type} value={type}>
                  {t(`triggers.${type}`)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {trigger.type === "segment_entered" && (
          <Field label={t("segment")} error={error("trigger.segmentId")}>
            {(ids) => (
              <Select
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid}
                value={trigger.segmentId}
                onChange={(e) => set({ segmentId: e.target.value })}
              >
                {segmentOptions}
              </Select>
            )}
          </Field>
        )}
        {trigger.type === "tier_reached" && (
          <Field label={t("tierId")} hint={t("tierHint")} error={error("trigger.tierId")}>
            {(ids) => (
              <Input
                id={ids.id}
                aria-describedby={ids.describedBy}
                value={trigger.tierId ?? ""}
                onChange={(e) =>
                  onTrigger(
                    e.target.value ? { type: "tier_reached", tierId: e.target.value } : { type: "tier_reached" },
                  )
                }
              />
            )}
          </Field>
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
          <Field label={t("eventType")} hint={t("eventTypeHint")} error={error("trigger.eventType")}>
            {(ids) => (
              <Input
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid}
                value={trigger.eventType}
                onChange={(e) => set({ eventType: e.target.value })}
              />
            )}
          </Field>
        )}
      </div>
      {trigger.type === "broadcast" && (
        <ScheduleFields
          schedule={trigger.schedule}
          error={error}
          onChange={(schedule) => onTrigger({ type: "broadcast", schedule })}
        />
      )}
      {audienceTriggers.includes(trigger.type) && (
        <div className="flex flex-wrap items-end gap-3">
          <Field label={t("audience")} error={error("audience")}>
            {(ids) => (
              <Select
                id={ids.id}
                value={audience.kind}
                onChange={(e) =>
                  onAudience(
                    e.target.value === "segment" ? { kind: "segment", segmentId: "" } : { kind: "all_members" },
                  )
                }
              >
                <option value="all_members">{t("audiences.all_members")}</option>
                <option value="segment">{t("audiences.segment")}</option>
              </Select>
            )}
          </Field>
          {audience.kind === "segment" && (
            <Field label={t("segment")} error={error("audience.segmentId")}>
              {(ids) => (
                <Select
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  value={audience.segmentId}
                  onChange={(e) => onAudience({ kind: "segment", segmentId: e.target.value })}
                >
                  {segmentOptions}
                </Select>
              )}
            </Field>
          )}
        </div>
      )}
    </div>
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
  return (
    <div className="flex flex-wrap items-end gap-3">
      <Field label={t("repeat")}>
        {(ids) => (
          <Select
            id={ids.id}
            value={schedule.repeat}
            onChange={(e) => onChange(defaultSchedule(e.target.value as Schedule["repeat"]))}
          >
            {(["once", "daily", "weekly", "monthly"] as const).map((r) => (
              <option key={r} value={r}>
                {t(`repeats.${r}`)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {schedule.repeat === "once" ? (
        <Field label={t("sendAt")} error={error("trigger.schedule.at") ?? error("trigger.schedule")}>
          {(ids) => (
            <Input
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid}
              type="datetime-local"
              step={1}
              value={schedule.at ? toLocalInput(schedule.at) : ""}
              onChange={(e) => onChange({ repeat: "once", at: fromLocalInput(e.target.value) })}
            />
          )}
        </Field>
      ) : (
        <Field label={t("atTime")} error={error("trigger.schedule.time")}>
          {(ids) => (
            <Input
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid}
              type="time"
              value={schedule.time}
              onChange={(e) => onChange({ ...schedule, time: e.target.value })}
            />
          )}
        </Field>
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
