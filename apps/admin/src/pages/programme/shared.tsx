import { Alert, Button, describeError, fieldErrors, type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext } from "react";
import { useTranslation } from "react-i18next";

export type Programme = RouterOutputs["programme"]["get"];
export type ProgrammeConfig = Programme["config"];

/** Tells the page which version a save made; the tabs start again from it, so the page says it. */
const SavedVersion = createContext<(version: number) => void>(() => {});
export const SavedVersionProvider = SavedVersion.Provider;

/** After any change the programme, its versions and the simulator's answers are stale. */
export function useProgrammeChanged() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const announce = useContext(SavedVersion);
  return (saved?: { version: number }) => {
    if (saved) announce(saved.version);
    return queryClient.invalidateQueries({ queryKey: trpc.programme.pathKey() });
  };
}

interface ChangeState {
  isPending: boolean;
  error: unknown;
}

/** The server's field errors of a failed save, to show at the fields. */
export const errorsOf = (change: ChangeState) => (change.error ? fieldErrors(change.error) : {});

/** A form's save button, and why the last save was refused (the page says what a save made). */
export function SaveBar({ change, label }: { change: ChangeState; label?: string }) {
  const { t } = useTranslation("programme");
  return (
    <div className="flex flex-col gap-2">
      {change.error ? <Alert>{describeError(change.error)}</Alert> : null}
      <div>
        <Button type="submit" disabled={change.isPending}>
          {label ?? t("common:save")}
        </Button>
      </div>
    </div>
  );
}
