import { Button } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import { CheckboxField, TextField } from "../../ui/fields.tsx";
import { errorAt, errorsUnder } from "../../ui/form-values.ts";
import { type ChangeState, errorsOf, SaveBar, type SavedVersion, useProgrammeChanged } from "./shared.tsx";

/** What a rule's, card's or reward's form does after a save: the programme changed, and the form closes. */
export function useSavedThenDone(onDone: () => void) {
  const changed = useProgrammeChanged();
  return async (saved: SavedVersion) => {
    await changed(saved);
    onDone();
  };
}

/**
 * The server's messages about one entry, relative to it: a refused input names `card.<field>`, a programme
 * the entry would make invalid names `stampCards.<position>.<field>`.
 */
export const entryErrors = (save: ChangeState, input: string, list: string, position: number) => {
  const all = errorsOf(save);
  return { ...errorsUnder(all, `${list}.${position}`), ...errorsUnder(all, input) };
};

/** A stamp card's or reward's id (fixed once saved: another id would be another entry) and its name. */
export function IdAndName({
  list,
  saved,
  id,
  name,
  onId,
  onName,
  errors,
}: {
  list: "cards" | "rewards";
  saved: boolean;
  id: string;
  name: string;
  onId: (id: string) => void;
  onName: (name: string) => void;
  errors: Record<string, string>;
}) {
  const { t } = useTranslation("programme");
  return (
    <>
      <TextField
        label={t(`${list}.id`)}
        value={id}
        onChange={onId}
        disabled={saved}
        error={errorAt(errors, "id")}
        hint={t("rules.idHint")}
      />
      <TextField label={t(`${list}.name`)} value={name} onChange={onName} error={errorAt(errors, "name")} />
    </>
  );
}

/** The end of a stamp card's or reward's form: whether it is on, then Save and Cancel. */
export function EntryFormEnd({
  enabled,
  onEnabled,
  save,
  onDone,
}: {
  enabled: boolean;
  onEnabled: (enabled: boolean) => void;
  save: ChangeState;
  onDone: () => void;
}) {
  const { t } = useTranslation("programme");
  return (
    <>
      <CheckboxField label={t("rules.enabled")} checked={enabled} onChange={onEnabled} />
      <SaveBar change={save}>
        <Button tone="secondary" onClick={onDone}>
          {t("common:cancel")}
        </Button>
      </SaveBar>
    </>
  );
}
