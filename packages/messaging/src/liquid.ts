import { Liquid, type Template } from "liquidjs";

/**
 * The two Liquid engines messages are rendered with. Both are strict: an undefined variable or filter is
 * an error, never an empty string in a customer's message ("Hi ," is worse than not sending). `default`
 * and `if` may still test a variable that is absent (`lenientIf`), which is how a template says
 * "the coupon, if there is one". Only own properties are visible, so nothing reaches prototypes.
 */
const strict = { strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true } as const;

const plainEngine = new Liquid({ ...strict });

const htmlEngine = new Liquid({ ...strict, outputEscape: "escape" });
// `raw` would put a variable into the HTML unescaped; a customer's name is never trusted markup. Replaced by a
// plain identity filter, its output is escaped like any other.
htmlEngine.registerFilter("raw", (value: unknown) => value);

export const engineFor = (html: boolean): Liquid => (html ? htmlEngine : plainEngine);

/**
 * Fields parsed once and rendered many times: a broadcast renders one template for 100,000 customers, and
 * parsing it each time took about 85 % of a render (75 µs against 12 µs for an e-mail body). Bounded, since
 * sources are templates' fields, few and small; emptied when full.
 */
const parsedFields = new Map<string, Template[]>();
const PARSED_FIELDS_LIMIT = 1_000;

/** Renders one field's Liquid `source` with `scope` (throws liquidjs's errors, as `parseAndRenderSync` would). */
export function renderField(source: string, html: boolean, scope: object): string {
  const key = `${html ? "html" : "text"}\n${source}`;
  let parsed = parsedFields.get(key);
  if (!parsed) {
    parsed = engineFor(html).parse(source);
    if (parsedFields.size >= PARSED_FIELDS_LIMIT) parsedFields.clear();
    parsedFields.set(key, parsed);
  }
  return engineFor(html).renderSync(parsed, scope);
}

/** A Liquid failure in one field of a template, in words an editor of the template can act on. */
export interface TemplateIssue {
  field: string;
  message: string;
}

export function parseField(field: string, source: string, html: boolean): Template[] | TemplateIssue {
  try {
    return engineFor(html).parse(source);
  } catch (e) {
    return { field, message: describeLiquidError(e) };
  }
}

/**
 * liquidjs says `undefined variable: coupon, line:1, col:4` (naming the first part of the path that has no
 * value); the issue reads `missing variable coupon (line 1, column 4)`. Unknown names never get this far:
 * they are refused when the template is saved.
 */
export function describeLiquidError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const where = /, line:(\d+), col:(\d+)/.exec(message);
  const text = message.replace(/, line:\d+, col:\d+[\s\S]*$/, "");
  const position = where ? ` (line ${where[1]}, column ${where[2]})` : "";
  const variable = /^undefined variable: (.+)$/.exec(text);
  if (variable) return `missing variable ${variable[1]}${position}`;
  const filter = /^undefined filter: (.+)$/.exec(text);
  if (filter) return `unknown filter ${filter[1]}${position}`;
  return `${text}${position}`;
}
