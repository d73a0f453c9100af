import { PageHeader } from "@regulars/web-ui";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** An editor page's title, with Cancel leading back to where the editing started (the item, or its list). */
export function EditorHeader({ title, cancelTo }: { title: string; cancelTo: string }) {
  const { t } = useTranslation("common");
  return (
    <PageHeader
      title={title}
      actions={
        <Link to={cancelTo} className="self-center text-sm text-emerald-800 underline">
          {t("cancel")}
        </Link>
      }
    />
  );
}
