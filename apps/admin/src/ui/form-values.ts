/**
 * Form fields hold what people type; these turn it into what the API takes and back. Whatever does not
 * parse is sent as typed (a number field left as NaN becomes null), so the server names the field that is wrong.
 */

/** "a, b ,c" → ["a", "b", "c"]. */
export const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * What typing `typed` into a tag box does to its tags: every part before a comma becomes a tag (so a pasted
 * "a, b, c" lands as tags), the part after the last comma stays in the box unless `finish` (Enter, leaving
 * the box) takes it too. Blank parts and tags already there are dropped.
 */
export function takeTags(
  values: readonly string[],
  typed: string,
  finish: boolean,
): { values: string[]; typing: string } {
  const parts = typed.split(",");
  const typing = finish ? "" : parts.pop()!.trimStart();
  const next = [...values];
  for (const part of parts.map((p) => p.trim())) if (part && !next.includes(part)) next.push(part);
  return { values: next, typing };
}

export const joinList = (list: readonly (string | number)[] | undefined): string => (list ?? []).join(", ");

/** An empty field is "not set"; anything else is a number, or NaN for the server to refuse. */
export const optionalNumber = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text));

export const numberText = (value: number | null | undefined): string => (value == null ? "" : String(value));

/** The server's message for `path` or anything inside it (`match` shows `match.skus.0`'s message too). */
export function errorAt(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const inner = Object.keys(errors).find((p) => p.startsWith(`${path}.`));
  return inner ? errors[inner] : undefined;
}

/** The errors under `prefix` with the prefix taken off: `rule.match.skus` → `match.skus`. */
export function errorsUnder(errors: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    if (path === prefix) out[""] ??= message;
    else if (path.startsWith(`${prefix}.`)) out[path.slice(prefix.length + 1)] ??= message;
  }
  return out;
}
