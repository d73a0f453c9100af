import { Button, Field, Input, Select, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { type Action, type ActionType, defaultAction, stepOf, type UiStep } from "./definition.ts";
import { NumberField } from "./trigger-fields.tsx";

type Errors = (path: string) => string | undefined;
type Wait = NonNullable<Action["wait"]>;

/** The campaign's steps in order: messages, coupons and points, each after an optional wait. */
export function StepsEditor({
  steps,
  error,
  onChange,
}: {
  steps: UiStep[];
  error: Errors;
  onChange: (next: UiStep[]) => void;
}) {
  const { t } = useTranslation("campaigns");
  const replace = (key: string, action: Action) => onChange(steps.map((s) => (s.key === key ? { key, action } : s)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...steps];
    [next[index], next[index + by]] = [next[index + by]!, next[index]!];
    onChange(next);
  };
  return (
    <div className="flex flex-col gap-3">
      {error("actions") && (
        <p role="alert" className="text-sm text-red-700">
          {error("actions")}
        </p>
      )}
      <ol className="flex flex-col gap-3">
        {steps.map((step, index) => (
          <li key={step.key} className="rounded-md border border-slate-200 bg-white p-3">
            <h3 className="mb-2 text-sm font-semibold text-slate-900">{t("stepN", { n: index + 1 })}</h3>
            <StepFields
              action={step.action}
              path={`actions.${index}`}
              error={error}
              onChange={(a) => replace(step.key, a)}
            />
            <div className="mt-2 flex flex-wrap gap-2">
              <Button
                tone="ghost"
                disabled={index === 0}
                onClick={() => move(index, -1)}
                aria-label={t("moveUpN", { n: index + 1 })}
              >
                {t("moveUp")}
              </Button>
              <Button
                tone="ghost"
                disabled={index === steps.length - 1}
                onClick={() => move(index, 1)}
                aria-label={t("moveDownN", { n: index + 1 })}
              >
                {t("moveDown")}
              </Button>
              <Button
                tone="ghost"
                disabled={steps.length === 1}
                onClick={() => onChange(steps.filter((s) => s.key !== step.key))}
                aria-label={t("removeStepN", { n: index + 1 })}
              >
                {t("removeStep")}
              </Button>
            </div>
          </li>
        ))}
      </ol>
      <div>
        <Button tone="secondary" onClick={() => onChange([...steps, stepOf(defaultAction("send_message"))])}>
          {t("addStep")}
        </Button>
      </div>
    </div>
  );
}

function StepFields({
  action,
  path,
  error,
  onChange,
}: {
  action: Action;
  path: string;
  error: Errors;
  onChange: (next: Action) => void;
}) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const templates = useQuery({
    ...trpc.templates.list.queryOptions(action.type === "send_message" ? { channel: action.channel } : {}),
    enabled: action.type === "send_message",
  });
  const coupons = useQuery({
    ...trpc.coupons.list.queryOptions({ limit: 100 }),
    enabled: action.type === "issue_coupon",
  });
  const set = (patch: Record<string, unknown>) => onChange({ ...action, ...patch } as Action);
  const setWait = (wait: Wait | undefined) => {
    const { wait: _old, ...rest } = action;
    onChange((wait ? { ...rest, wait } : rest) as Action);
  };

  return (
    <div className="flex flex-wrap items-end gap-3">
      <Field label={t("stepKind")}>
        {(ids) => (
          <Select
            id={ids.id}
            value={action.type}
            onChange={(e) =>
              onChange({
                ...defaultAction(e.target.value as ActionType),
                ...(action.wait ? { wait: action.wait } : {}),
              } as Action)
            }
          >
            {(["send_message", "issue_coupon", "award_points"] as const).map((type) => (
              <option key={type} value={type}>
                {t(`actions.${type}`)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {action.type === "send_message" && (
        <>
          <Field label={t("channel")} error={error(`${path}.channel`)}>
            {(ids) => (
              <Select
                id={ids.id}
                value={action.channel}
                onChange={(e) =>
                  onChange({ ...action, channel: e.target.value as typeof action.channel, templateId: "" })
                }
              >
                {(["push", "sms", "email"] as const).map((c) => (
                  <option key={c} value={c}>
                    {t(`channels.${c}`)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label={t("template")} error={error(`${path}.templateId`)}>
            {(ids) => (
              <Select
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid}
                value={action.templateId}
                onChange={(e) => set({ templateId: e.target.value })}
              >
                <option value="">{t("chooseTemplate")}</option>
                {templates.data?.map((tpl) => (
                  <option key={tpl.id} value={tpl.id}>
                    {tpl.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </>
      )}
      {action.type === "issue_coupon" && (
        <Field label={t("coupon")} error={error(`${path}.couponCampaignId`)}>
          {(ids) => (
            <Select
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid}
              value={action.couponCampaignId}
              onChange={(e) => set({ couponCampaignId: e.target.value })}
            >
              <option value="">{t("chooseCoupon")}</option>
              {coupons.data?.items.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {action.type === "award_points" && (
        <>
          <NumberField
            label={t("points")}
            value={action.points}
            error={error(`${path}.points`)}
            onChange={(points) => set({ points })}
          />
          <Field label={t("reason")} error={error(`${path}.reason`)}>
            {(ids) => (
              <Input
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid}
                value={action.reason}
                onChange={(e) => set({ reason: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
      <Field label={t("waitBefore")} error={error(`${path}.wait.amount`)}>
        {(ids) => (
          <Input
            id={ids.id}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid}
            type="number"
            min={0}
            className="w-24"
            value={action.wait?.amount ?? 0}
            onChange={(e) => {
              const amount = e.target.valueAsNumber;
              setWait(amount > 0 ? { amount, unit: action.wait?.unit ?? "hours" } : undefined);
            }}
          />
        )}
      </Field>
      <Field label={t("waitUnit")}>
        {(ids) => (
          <Select
            id={ids.id}
            value={action.wait?.unit ?? "hours"}
            disabled={!action.wait}
            onChange={(e) => action.wait && setWait({ ...action.wait, unit: e.target.value as Wait["unit"] })}
          >
            {(["minutes", "hours", "days"] as const).map((u) => (
              <option key={u} value={u}>
                {t(`units.${u}`)}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </div>
  );
}
