import { Alert, Button, ConfirmDialog, describeError, type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useProgrammeChanged } from "./shared.tsx";

type VersionSummary = RouterOutputs["programme"]["versions"][number];

/**
 * Cancels the scheduled version once the user confirms: none of its changes take effect, the version in force stays.
 * The server deletes it (the audit log keeps it) and never numbers another version the same.
 */
export function CancelScheduledButton({
  inForce,
  scheduled,
  from,
  onCancelled,
}: {
  inForce: number;
  scheduled: VersionSummary;
  /** When it was to take effect, as the notice names it. */
  from: string;
  onCancelled: (message: string) => void;
}) {
  const { t } = useTranslation("programme");
  const trpc = useTRPC();
  const changed = useProgrammeChanged();
  const values = { version: scheduled.version, inForce, from };
  const cancel = useMutation(
    trpc.programme.cancelScheduled.mutationOptions({
      onSuccess: () => {
        onCancelled(t("schedule.cancelled", values));
        return changed();
      },
    }),
  );
  return (
    <div className="flex flex-col gap-2">
      <div>
        <ConfirmDialog
          trigger={
            <Button tone="danger" disabled={cancel.isPending}>
              {t("schedule.cancel", values)}
            </Button>
          }
          title={t("schedule.cancelTitle", values)}
          description={t("schedule.cancelText", values)}
          confirmLabel={t("schedule.cancelConfirm", values)}
          cancelLabel={t("schedule.keep")}
          onConfirm={() => cancel.mutate({ version: scheduled.version })}
        />
      </div>
      {cancel.error !== null && <Alert>{describeError(cancel.error)}</Alert>}
    </div>
  );
}
