import { Spinner, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTranslation } from "react-i18next";

/**
 * The event types an endpoint subscribes to, as checkboxes of what the server offers; `*` (every type,
 * including ones added later) stands alone, so choosing it clears the others.
 */
export function EventTypesField({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (types: string[]) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation("webhooks");
  const trpc = useTRPC();
  const offered = useQuery(trpc.webhooks.endpoints.eventTypes.queryOptions());
  const errorId = useId();
  const all = value.includes("*");
  const toggle = (type: string, on: boolean) => {
    if (type === "*") return onChange(on ? ["*"] : []);
    onChange(on ? [...value.filter((v) => v !== "*"), type] : value.filter((v) => v !== type));
  };
  const box = (type: string, label: string, disabled = false) => (
    <label key={type} className="flex items-center gap-2 text-sm text-slate-800">
      <input
        type="checkbox"
        className="h-4 w-4 accent-emerald-700 focus-visible:outline-2 focus-visible:outline-emerald-700"
        checked={value.includes(type)}
        disabled={disabled}
        onChange={(e) => toggle(type, e.target.checked)}
      />
      <span className="font-mono">{label}</span>
    </label>
  );
  return (
    <fieldset aria-describedby={error ? errorId : undefined} aria-invalid={Boolean(error)}>
      <legend className="mb-1 text-sm font-medium text-slate-800">{t("eventTypes")}</legend>
      {box("*", t("allEvents"))}
      {offered.isPending && <Spinner label={t("common:loading")} />}
      <div className="mt-1 grid grid-cols-1 gap-1 sm:grid-cols-2 lg:grid-cols-3">
        {offered.data?.map((type) => box(type, type, all))}
      </div>
      {error && (
        <p id={errorId} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
