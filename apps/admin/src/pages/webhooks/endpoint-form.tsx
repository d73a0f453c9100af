import { Alert, Button, describeError, fieldErrors } from "@regulars/web-ui";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";
import { errorAt } from "../../ui/form-values.ts";
import { EventTypesField } from "./event-types-field.tsx";

export interface EndpointFields {
  url: string;
  description: string;
  eventTypes: string[];
}

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
        <TextField
          label={t("url")}
          error={errorAt(errors, "url")}
          hint={t("urlHint")}
          type="url"
          value={fields.url}
          onChange={(url) => setFields({ ...fields, url })}
        />
        <TextField
          label={t("description")}
          error={errorAt(errors, "description")}
          maxLength={300}
          value={fields.description}
          onChange={(description) => setFields({ ...fields, description })}
        />
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
