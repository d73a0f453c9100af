import { Alert, Button } from "@regulars/web-ui";
import { useState } from "react";

/**
 * A secret the server hands out once (a new API key, a webhook signing secret): shown in full with a copy
 * button and a warning, because after this the server keeps only its hash or will not show it again.
 */
export function OneTimeSecret({
  label,
  secret,
  warning,
  copyLabel,
  copiedLabel,
  onDismiss,
  dismissLabel,
}: {
  label: string;
  secret: string;
  warning: string;
  copyLabel: string;
  copiedLabel: string;
  onDismiss: () => void;
  dismissLabel: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Alert tone="success">
      <p className="font-medium">{label}</p>
      <p className="mt-1">{warning}</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="rounded bg-white px-2 py-1 font-mono text-sm break-all text-slate-900" data-secret>
          {secret}
        </code>
        <Button
          tone="secondary"
          onClick={() =>
            void navigator.clipboard
              .writeText(secret)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
        >
          {copied ? copiedLabel : copyLabel}
        </Button>
        <Button tone="ghost" onClick={onDismiss}>
          {dismissLabel}
        </Button>
      </div>
    </Alert>
  );
}
