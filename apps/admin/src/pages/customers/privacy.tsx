import { Alert, Button, Card, ConfirmDialog, describeError, fieldErrors, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";

/** Hands the export to the browser as a file, named after the customer. */
function download(customerId: string, data: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${customerId}.json`;
  link.click();
  URL.revokeObjectURL(url);
}

/** GDPR: everything held about the customer as a JSON file, and erasure once the id is typed again. */
export function PrivacyCard({ customerId, erasedAt }: { customerId: string; erasedAt: string | null }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmation, setConfirmation] = useState("");
  const exporting = useMutation(
    trpc.privacy.export.mutationOptions({ onSuccess: (data) => download(customerId, data) }),
  );
  const erasing = useMutation(
    trpc.privacy.erase.mutationOptions({
      onSettled: () => setConfirmation(""),
      // Every list on the page shows personal data the erasure removed.
      onSuccess: () => queryClient.invalidateQueries(),
    }),
  );
  const outcome = erasing.data;
  const erasureRefused =
    erasing.error && (fieldErrors(erasing.error).confirmCustomerId ?? describeError(erasing.error));

  return (
    <Card title={t("privacy.title")}>
      <div className="flex flex-wrap gap-2">
        <Button tone="secondary" disabled={exporting.isPending} onClick={() => exporting.mutate({ customerId })}>
          {t("privacy.export")}
        </Button>
        {!erasedAt && (
          <ConfirmDialog
            trigger={<Button tone="danger">{t("privacy.erase")}</Button>}
            title={t("privacy.eraseTitle")}
            description={t("privacy.eraseDescription")}
            confirmLabel={t("privacy.confirm")}
            cancelLabel={t("common:cancel")}
            onConfirm={() => erasing.mutate({ customerId, confirmCustomerId: confirmation.trim() })}
          >
            <TextField
              label={t("privacy.confirmLabel", { id: customerId })}
              className="w-full font-mono"
              autoComplete="off"
              spellCheck={false}
              value={confirmation}
              onChange={setConfirmation}
            />
          </ConfirmDialog>
        )}
      </div>
      <div className="mt-3 flex flex-col gap-2">
        {exporting.isSuccess && <Alert tone="success">{t("privacy.exported")}</Alert>}
        {exporting.error && <Alert>{describeError(exporting.error)}</Alert>}
        {erasureRefused && <Alert>{erasureRefused}</Alert>}
        {outcome && (
          <Alert tone="success">
            {t(outcome.status === "erased" ? "privacy.erased" : "privacy.alreadyErased", {
              at: format.dateTime(outcome.erasedAt),
            })}
          </Alert>
        )}
        {erasedAt && !outcome && <Alert tone="info">{t("privacy.erased", { at: format.dateTime(erasedAt) })}</Alert>}
      </div>
    </Card>
  );
}
