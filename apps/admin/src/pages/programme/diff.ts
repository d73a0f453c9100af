/** One changed setting between two programme versions; `undefined` on a side means absent there. */
export interface Change {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Lists of things with ids (rules, tiers, cards, rewards) are compared by id, so reordering is no change. */
const byId = (list: Json[]): Map<string, Json> | null =>
  list.length > 0 && list.every((item) => isObject(item) && typeof item.id === "string")
    ? new Map(list.map((item) => [(item as { id: string }).id, item]))
    : null;

/** Leaves by readable path (`rules[base].pointsPerUnit`); lists of plain values stay one leaf (`[2, 4]`). */
function flatten(value: Json | undefined, path: string, out: Map<string, string>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    const items = byId(value);
    if (items) for (const [id, item] of items) flatten(item, `${path}[${id}]`, out);
    else if (value.some((v) => typeof v === "object" && v !== null))
      for (const [i, item] of value.entries()) flatten(item, `${path}[${i}]`, out);
    else out.set(path, JSON.stringify(value));
    return;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(path, "{}");
    for (const key of keys) flatten(value[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.set(path, JSON.stringify(value));
}

/** What changed from `before` to `after`, in the order the settings appear (after's first, then removed ones). */
export function diffConfigs(before: unknown, after: unknown): Change[] {
  const old = new Map<string, string>();
  const now = new Map<string, string>();
  flatten(before as Json, "", old);
  flatten(after as Json, "", now);
  const changes: Change[] = [];
  for (const [path, value] of now)
    if (old.get(path) !== value) changes.push({ path, before: old.get(path), after: value });
  for (const [path, value] of old) if (!now.has(path)) changes.push({ path, before: value, after: undefined });
  return changes;
}
