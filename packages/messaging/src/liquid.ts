import { Context, type FS, Liquid, type Template } from "liquidjs";

/**
 * The two Liquid engines messages are rendered with. Both are strict: an undefined variable or filter is
 * an error, never an empty string in a customer's message ("Hi ," is worse than not sending). `default`
 * and `if` may still test a variable that is absent (`lenientIf`), which is how a template says
 * "the coupon, if there is one". Only own properties are visible, so nothing reaches prototypes.
 */
const strict = { strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true } as const;

/**
 * What one field may cost to read and to render. A template is written by one tenant's staff and rendered in
 * processes every tenant shares, once per recipient: without bounds, `{% for i in (1..30000000) %}` held the event
 * loop for 14 s and 400 MB per message. A sane field renders in microseconds over a few dozen loop items, so each
 * bound leaves it orders of magnitude of room, and a template over one is refused when it is saved.
 */
export const renderLimits = {
  /** Characters of Liquid one parse reads: twice the longest field a template has (an e-mail body, 100,000). */
  parseLimit: 200_000,
  /** Milliseconds one field's render may run: the backstop for work the memory count does not see. */
  renderLimit: 100,
  /**
   * liquidjs's allocation count in one render: every item of every `(a..b)` range, every character a string filter
   * reads. Enough for the longest field run once through a filter; a loop of that many items is what reaches it.
   */
  memoryLimit: 100_000,
  /** Characters one rendered field may have: liquidjs does not count literal text a loop repeats. */
  outputLimit: 1_000_000,
} as const;

const { outputLimit, ...engineLimits } = renderLimits;

/**
 * A file system with no files. liquidjs reads templates from disk for `include`, `render` and `layout`, rooted at
 * the process's working folder by default: a tenant's template could then print the server's files (its
 * configuration, other tenants' data). Those tags are refused below; this is the second wall behind them.
 */
const noFiles: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`no file is read by a message template: ${file}`);
  },
  readFileSync: (file) => {
    throw new Error(`no file is read by a message template: ${file}`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Nothing outside the template and its variables: no folders to look in, no globals. */
const closed = { fs: noFiles, root: [], partials: [], layouts: [], relativeReference: false, globals: {} };

const plainEngine = new Liquid({ ...strict, ...closed, ...engineLimits });

const htmlEngine = new Liquid({ ...strict, ...closed, ...engineLimits, outputEscape: "escape" });
// `raw` would put a variable into the HTML unescaped; a customer's name is never trusted markup. Replaced by a
// plain identity filter, its output is escaped like any other.
htmlEngine.registerFilter("raw", (value: unknown) => value);

/** The tags that bring in another template, which is a file: a message is the one text its editor wrote. */
const fileTags = ["include", "render", "layout"] as const;
for (const engine of [plainEngine, htmlEngine])
  for (const tag of fileTags)
    engine.registerTag(tag, {
      parse() {
        throw new Error(`the ${tag} tag is not available: a template cannot bring in other files, write the text here`);
      },
      render: () => "",
    });

export const engineFor = (html: boolean): Liquid => (html ? htmlEngine : plainEngine);

/**
 * Fields parsed once and rendered many times: a broadcast renders one template for 100,000 customers, and
 * parsing it each time took about 85 % of a render (75 µs against 12 µs for an e-mail body). Bounded, since
 * sources are templates' fields, few and small; emptied when full.
 */
const parsedFields = new Map<string, Template[]>();
const PARSED_FIELDS_LIMIT = 1_000;

/** Renders one field's Liquid `source` with `scope` (throws liquidjs's errors, as `parseAndRenderSync` would). */
export function renderField(source: string, html: boolean, scope: object, setting: RenderSetting = {}): string {
  const key = `${html ? "html" : "text"}\n${source}`;
  let parsed = parsedFields.get(key);
  if (!parsed) {
    parsed = engineFor(html).parse(source);
    if (parsedFields.size >= PARSED_FIELDS_LIMIT) parsedFields.clear();
    parsedFields.set(key, parsed);
  }
  return renderParsed(parsed, html, scope, setting);
}

/**
 * Where and how a message's dates are written: the tenant's zone (or the location's the message was timed in) and
 * the template's language. liquidjs would use the server's zone and locale, so `{{ 'now' | date: '%A %H:%M' }}`
 * named another day and hour, in another language, depending on the machine that rendered it.
 */
export interface RenderSetting {
  /** An IANA zone; UTC when absent (never the server's). */
  timeZone?: string | undefined;
  /** A BCP 47 tag for day and month names; English when absent. */
  language?: string | undefined;
}

/** Renders a parsed field within `renderLimits`, its dates in `setting`'s zone and language. */
export function renderParsed(parsed: Template[], html: boolean, scope: object, setting: RenderSetting = {}): string {
  const engine = engineFor(html);
  const context = new Context(scope, optionsFor(html, setting), { sync: true }, { liquid: engine });
  const output: string = engine.renderSync(parsed, context);
  // Checked before anything reads the text: until then the repeats are shared pieces, not copies.
  if (output.length > outputLimit) throw new Error(outputLimitExceeded);
  return output;
}

const outputLimitExceeded = "output length limit exceeded";

type EngineOptions = Liquid["options"];
/** The engine's options with a zone and language, by both: a broadcast renders thousands of messages with one. */
const settingOptions = new Map<string, EngineOptions>();

function optionsFor(html: boolean, { timeZone = "UTC", language = "en" }: RenderSetting): EngineOptions {
  const key = `${html}\n${timeZone}\n${language}`;
  let options = settingOptions.get(key);
  if (!options) {
    options = { ...engineFor(html).options, timezoneOffset: timeZone, locale: language };
    if (settingOptions.size >= PARSED_FIELDS_LIMIT) settingOptions.clear();
    settingOptions.set(key, options);
  }
  return options;
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
  const limit = limitBroken[text];
  if (limit) return `${limit}${position}`;
  return `${text}${position}`;
}

/** Whether `e` is a render stopped by one of `renderLimits`, rather than by the data it was given. */
export function isLimitBroken(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  return Object.hasOwn(limitBroken, message.replace(/, line:\d+, col:\d+[\s\S]*$/, ""));
}

const number = (n: number): string => n.toLocaleString("en");

/** liquidjs's words for a broken limit, as an editor acts on them (smaller loops, less text). */
const limitBroken: Record<string, string> = {
  "parse length limit exceeded": `too long: a field has at most ${number(renderLimits.parseLimit)} characters`,
  "template render limit exceeded": `takes too long to render (over ${renderLimits.renderLimit} ms): loop less`,
  "memory alloc limit exceeded":
    `renders too much: loops and filters may make ${number(renderLimits.memoryLimit)} items in all ` +
    "(a range such as (1..1000) counts each of its items)",
  [outputLimitExceeded]: `renders too much text: over ${number(renderLimits.outputLimit)} characters`,
};
