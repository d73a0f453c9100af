import { Alert, Button, describeError, type RouterOutputs, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";

export type FoundCustomer = RouterOutputs["customers"]["search"]["items"][number];

/** Finds a customer by phone, e-mail, card, name or id (`customers.search`), asked once typing pauses. */
export function CustomerPicker({
  chosen,
  onChoose,
}: {
  chosen: FoundCustomer | null;
  onChoose: (c: FoundCustomer) => void;
}) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useQuery({ ...trpc.customers.search.queryOptions({ query, limit: 8 }), enabled: query.length >= 2 });

  return (
    <div className="flex flex-col gap-2">
      <TextField
        label={t("preview.findCustomer")}
        hint={t("preview.findHint")}
        type="search"
        value={text}
        onChange={setText}
      />
      {found.error && <Alert>{describeError(found.error)}</Alert>}
      {found.data && (
        <ul aria-label={t("preview.matches")} className="flex flex-col gap-1">
          {found.data.items.length === 0 && <li className="text-sm text-slate-700">{t("preview.noMatches")}</li>}
          {found.data.items.map((c) => (
            <li key={c.id}>
              <Button
                tone={chosen?.id === c.id ? "primary" : "secondary"}
                aria-pressed={chosen?.id === c.id}
                onClick={() => onChoose(c)}
              >
                {[c.name, c.phone, c.email].filter(Boolean).join(" · ") || c.id}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
