import { z } from "zod";

/**
 * Text the stores can hold exactly as sent. Postgres refuses NUL in text and jsonb; a lone UTF-16
 * surrogate cannot be encoded as UTF-8, so the driver would silently store U+FFFD instead; other
 * control characters (C0, DEL, C1) have no business in a SKU, a name or a key and break CSV exports
 * and logs. All of them are refused at the door with the field's path, never stored or dead-lettered.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function unstorableText(s: string): string | null {
  const control = controlCharacter.exec(s);
  if (control)
    return `must not contain control characters (found U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`;
  if (loneSurrogate.test(s)) return "must be valid Unicode (found an unpaired surrogate)";
  return null;
}

/** A string of `min`-`max` characters the stores can hold. */
export const SafeText = (min: number, max: number) =>
  z
    .string()
    .min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = unstorableText(s);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

/** How deep free-form JSON (event properties) may nest: enough for any real payload, bounded for the parser. */
export const MAX_JSON_DEPTH = 8;

/**
 * The one key a copy loses. `JSON.parse` makes `__proto__` an ordinary key, but any copy by assignment (`o[k] = v`,
 * as zod's record parsing does) turns it into the prototype and the value silently vanishes. `constructor` and
 * `prototype` are stored and read back as ordinary keys, and events already accepted with them must stay readable.
 */
const prototypeKeys = new Set(["__proto__"]);

/**
 * Walks free-form JSON and reports every key or string the stores cannot hold, every key naming the prototype
 * (`__proto__`, `constructor`, `prototype`), every number JSON cannot carry back out (Infinity from `1e999`), and
 * nesting beyond MAX_JSON_DEPTH, each with its path. Run it on the raw input (`StorableJson`): a parsed record has
 * already lost its `__proto__` key.
 */
export function unstorableJson(
  value: unknown,
  path: (string | number)[] = [],
  depth = 0,
): { path: (string | number)[]; message: string }[] {
  if (typeof value === "string") {
    const problem = unstorableText(value);
    return problem ? [{ path, message: problem }] : [];
  }
  if (typeof value === "number") return Number.isFinite(value) ? [] : [{ path, message: "must be a finite number" }];
  if (value === null || typeof value !== "object") return [];
  if (depth >= MAX_JSON_DEPTH) return [{ path, message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` }];
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableJson(v, [...path, i], depth + 1));
  return Object.entries(value).flatMap(([key, v]) => {
    const keyProblem = prototypeKeys.has(key) ? "must not be __proto__" : unstorableText(key);
    return [
      ...(keyProblem ? [{ path: [...path, key], message: `key ${keyProblem}` }] : []),
      ...unstorableJson(v, [...path, key], depth + 1),
    ];
  });
}

/**
 * Why a JSON number beyond ±(2^53 − 1) is refused in free-form JSON (event properties, preferences): `JSON.parse` has
 * already rounded it to the nearest double, so what would be stored is not what was sent, and two different numbers
 * (two order ids) would read as one body, a retry answered duplicate.
 */
export const inexactNumberMessage =
  `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}: larger JSON numbers lose digits; ` +
  "send larger ids as strings";

/** Whether a parsed JSON number may have been rounded by the parse (finite and beyond the exact integers). */
export const isInexactNumber = (n: number): boolean => Number.isFinite(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER;

/**
 * Every number in parsed free-form JSON that the parse may have rounded (`isInexactNumber`), with its path. Apart
 * from `unstorableJson`, which the stored forms are read with too: what was accepted before must stay readable.
 */
export function inexactNumbers(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  if (typeof value === "number") return isInexactNumber(value) ? [{ path, message: inexactNumberMessage }] : [];
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  return entries.flatMap(([key, v]) => inexactNumbers(v, [...path, key]));
}

/**
 * `schema` for a JSON-ish record, after refusing on the raw input everything `unstorableJson` finds, each issue at
 * its path. Before the record parses it: parsing drops a `__proto__` key (it would become the prototype), so a
 * check afterwards never sees it and the value is lost with a 202.
 */
export const StorableJson = <T extends z.ZodType>(schema: T) =>
  z.preprocess((raw, ctx) => {
    for (const problem of unstorableJson(raw)) ctx.addIssue({ code: "custom", ...problem, input: raw });
    return raw;
  }, schema);
