import { Button, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { NumberField, SelectField, TextField } from "../../ui/fields.tsx";
import { allPages, couponChoices } from "./coupon-choices.ts";
import { type Action, type ActionType, defaultAction, stepOf, type UiStep } from "./definition.ts";

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
  const client = useTRPCClient();
  const chosenCouponId = action.type === "issue_coupon" ? action.couponCampaignId : "";
  // Every coupon, page after page: the list answers at most 100 at a time, and a step may give the oldest one.
  const coupons = useQuery({
    queryKey: [...trpc.coupons.list.pathKey(), "every page"],
    queryFn: () => allPages((cursor) => client.coupons.list.query({ limit: 100, cursor })),
    enabled: action.type === "issue_coupon",
  });
  // The step's own coupon by id, so it shows under its name before (or without) the whole list.
  const chosenCoupon = useQuery({
    ...trpc.coupons.get.queryOptions({ id: chosenCouponId }),
    enabled: chosenCouponId !== "",
    retry: false,
  });
  const set = (patch: Record<string, unknown>) => onChange({ ...action, ...patch } as Action);
  const setWait = (wait: Wait | undefined) => {
    const { wait: _old, ...rest } = action;
    onChange((wait ? { ...rest, wait } : rest) as Action);
  };

  return (
    <div className="flex flex-wrap items-end gap-3">
      <SelectField
        label={t("stepKind")}
        value={action.type}
        onChange={(type: ActionType) =>
          onChange({ ...defaultAction(type), ...(action.wait ? { wait: action.wait } : {}) } as Action)
        }
        options={(["send_message", "issue_coupon", "award_points"] as const).map((type) => ({
          value: type,
          label: t(`actions.${type}`),
        }))}
      />
      {action.type === "send_message" && (
        <>
          <SelectField
            label={t("channel")}
            error={error(`${path}.channel`)}
            value={action.channel}
            onChange={(channel) => onChange({ ...action, channel, templateId: "" })}
            options={(["push", "sms", "email"] as const).map((c) => ({ value: c, label: t(`channels.${c}`) }))}
          />
          <SelectField
            label={t("template")}
            // The server's "choose a template" is English; none chosen is the one case staff meet, so say it here.
            error={
              error(`${path}.templateId`) && (action.templateId ? error(`${path}.templateId`) : t("templateRequired"))
            }
            value={action.templateId}
            onChange={(templateId) => set({ templateId })}
            options={[
              { value: "", label: t("chooseTemplate") },
              ...(templates.data ?? []).map((tpl) => ({ value: tpl.id, label: tpl.name })),
            ]}
          />
        </>
      )}
      {action.type === "issue_coupon" && (
        <SelectField
          label={t("coupon")}
          error={error(`${path}.couponCampaignId`)}
          value={action.couponCampaignId}
          onChange={(couponCampaignId) => set({ couponCampaignId })}
          options={[
            { value: "", label: t("chooseCoupon") },
            ...couponChoices(coupons.data ?? [], action.couponCampaignId, chosenCoupon.data ?? null),
          ]}
        />
      )}
      {action.type === "award_points" && (
        <>
          <NumberField
            label={t("points")}
            value={action.points}
            error={error(`${path}.points`)}
            onChange={(points) => set({ points })}
          />
          <TextField
            label={t("reason")}
            error={error(`${path}.reason`)}
            value={action.reason}
            onChange={(reason) => set({ reason })}
          />
        </>
      )}
      <NumberField
        label={t("waitBefore")}
        error={error(`${path}.wait.amount`)}
        min={0}
        className="w-24"
        value={action.wait?.amount ?? 0}
        onChange={(amount) => setWait(amount > 0 ? { amount, unit: action.wait?.unit ?? "hours" } : undefined)}
      />
      <SelectField
        label={t("waitUnit")}
        value={action.wait?.unit ?? "hours"}
        disabled={!action.wait}
        onChange={(unit) => action.wait && setWait({ ...action.wait, unit })}
        options={(["minutes", "hours", "days"] as const).map((u) => ({ value: u, label: t(`units.${u}`) }))}
      />
    </div>
  );
}
