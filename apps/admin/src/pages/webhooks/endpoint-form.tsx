import { Alert, Button, describeError, Field, fieldErrors, Input } from "@regulars/web-ui";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { EventTypesField } from "./event-types-field.tsx";

export interface EndpointFields {
  url: string;
  description: string;
  eventTypes: string[];
}

/** The first refusal at a path or under it (`eventTypes.2` is shown at the event types). */
const errorAt = (errors: Record<string, string>, path: string) =>
  errors[path] ?? Object.entries(errors).find(([p]) => p.startsWith(`${path}.`))?.[1];

/** URL, description and subscriptions: the same form creates an endpoint and edits one. */
export function EndpointForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
}: {
  initial: EndpointFields;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (fields: EndpointFields) => void;
}) {
  const { t } = useTranslation("webhooks");
  const [fields, setFields] = useState(initial);
  const errors = fieldErrors(error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(fields);
  };
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <div className="grid gap-3 md:grid-cols-2">
        <Field label={t("url")} error={errorAt(errors, "url")} hint={t("urlHint")}>
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              type="url"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={fields.url}
              onChange={(e) => setFields({ ...fields, url: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("description")} error={errorAt(errors, "description")}>
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              maxLength={300}
              value={fields.description}
              onChange={(e) => setFields({ ...fields, description: e.target.value })}
            />
          )}
        </Field>
      </div>
      <EventTypesField
        value={fields.eventTypes}
        onChange={(eventTypes) => setFields({ ...fields, eventTypes })}
        error={errorAt(errors, "eventTypes")}
      />
      {Boolean(error) && !Object.keys(errors).length && <Alert>{describeError(error)}</Alert>}
      <div>
        <Button type="submit" disabled={pending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
