import { Button, Select } from "@regulars/web-ui";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ConditionEditor } from "./condition-editor.tsx";
import { isGroup, newCondition, newGroup, replaceNode, type UiGroup, type UiNode } from "./definition.ts";

/** Groups nest at most this deep (the definition's own limit). */
const maxDepth = 4;

/**
 * An AND/OR group: whether all or any of its items must hold, its conditions and inner groups, and buttons
 * to add or remove them. `path` is where the group sits in the definition, for the server's field errors.
 */
export function GroupEditor({
  group,
  path,
  depth,
  errors,
  onChange,
  onRemove,
}: {
  group: UiGroup;
  path: string;
  depth: number;
  errors: Record<string, string>;
  onChange: (next: UiGroup) => void;
  onRemove?: () => void;
}) {
  const { t } = useTranslation("segments");
  const modeId = useId();
  const [added, setAdded] = useState<string | null>(null);
  const replace = (key: string, next: UiNode | null) => onChange(replaceNode(group, key, next));
  const add = (node: UiNode) => {
    setAdded(node.key);
    onChange({ ...group, items: [...group.items, node] });
  };
  const groupError = errors[`${path}.${group.mode}`] ?? (depth === 1 ? errors.definition : undefined);

  return (
    <fieldset className={`rounded-lg border p-3 ${depth === 1 ? "border-slate-300" : "border-slate-300 bg-slate-50"}`}>
      <legend className="px-1 text-sm font-semibold text-slate-800">
        {depth === 1 ? t("customersWho") : t("innerGroup")}
      </legend>
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <label htmlFor={modeId} className="text-sm text-slate-800">
          {t("match")}
        </label>
        <Select
          id={modeId}
          value={group.mode}
          onChange={(e) => onChange({ ...group, mode: e.target.value as UiGroup["mode"] })}
        >
          <option value="all">{t("modes.all")}</option>
          <option value="any">{t("modes.any")}</option>
        </Select>
        {onRemove && (
          <Button tone="ghost" className="ml-auto" onClick={onRemove}>
            {t("removeGroup")}
          </Button>
        )}
      </div>
      {groupError && (
        <p role="alert" className="mb-2 text-sm text-red-700">
          {groupError}
        </p>
      )}
      <ol className="flex flex-col gap-3">
        {group.items.map((item, index) => {
          const itemPath = `${path}.${group.mode}.${index}`;
          return (
            <li key={item.key}>
              {index > 0 && (
                <p className="mb-1 text-xs font-semibold uppercase text-slate-700">{t(`joiners.${group.mode}`)}</p>
              )}
              {isGroup(item) ? (
                <GroupEditor
                  group={item}
                  path={itemPath}
                  depth={depth + 1}
                  errors={errors}
                  onChange={(next) => replace(item.key, next)}
                  onRemove={() => replace(item.key, null)}
                />
              ) : (
                <div className="flex items-start gap-3 rounded-md border border-slate-200 bg-white p-3">
                  <ConditionEditor
                    condition={item.condition}
                    path={itemPath}
                    errors={errors}
                    autoFocus={added === item.key}
                    onChange={(condition) => replace(item.key, { ...item, condition })}
                  />
                  <Button
                    tone="ghost"
                    className="ml-auto shrink-0"
                    aria-label={t("removeConditionN", { n: index + 1 })}
                    onClick={() => replace(item.key, null)}
                  >
                    {t("removeCondition")}
                  </Button>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button tone="secondary" onClick={() => add(newCondition("orders_count"))}>
          {t("addCondition")}
        </Button>
        {depth < maxDepth && (
          <Button
            tone="secondary"
            onClick={() => add(newGroup(group.mode === "all" ? "any" : "all", [newCondition("orders_count")]))}
          >
            {t("addGroup")}
          </Button>
        )}
      </div>
    </fieldset>
  );
}
