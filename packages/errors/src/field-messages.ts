/**
 * What an integrator reads next to a field path when a value is refused: "required", "must be a
 * number, not a string", "must be one of: sale, refund". zod's own messages ("Invalid input: expected
 * string, received undefined") are written for the developer of the schema, not for the one calling it.
 *
 * `contracts` installs this once as zod's `customError`, so the gateway's validation hook and tRPC's
 * input parsing read the same words. A schema's own message ("must be an E.164 phone number") still
 * wins: this only fills in where a schema said nothing. Typed structurally, like `issuesFromZod`, to
 * keep this package free of a zod version.
 */
export interface RawFieldIssue {
  readonly code?: string;
  readonly input?: unknown;
  readonly expected?: string;
  readonly values?: ReadonlyArray<unknown>;
  readonly origin?: string;
  readonly minimum?: number | bigint | Date;
  readonly maximum?: number | bigint | Date;
  readonly inclusive?: boolean;
  readonly exact?: boolean;
  readonly format?: string;
  readonly divisor?: number | bigint;
  readonly keys?: ReadonlyArray<string>;
  readonly options?: ReadonlyArray<unknown>;
}

/** The JSON kind of a value, with its article, as the message names it. */
function jsonKindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return Number.isFinite(value) ? "a number" : "a number out of range";
    case "boolean":
      return "true/false";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

const expectedKinds: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  record: "an object",
  tuple: "an array",
  date: "a date",
  null: "null",
};

const formats: Record<string, string> = {
  datetime: "an ISO 8601 date-time with an offset, such as 2026-01-31T12:00:00+01:00",
  date: "a date such as 2026-01-31",
  time: "a time such as 12:00:00",
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
  e164: "an E.164 phone number such as +48600100200",
};

/** Literal values as a list an integrator can copy: strings bare, everything else as JSON. */
const listed = (values: ReadonlyArray<unknown>) =>
  values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");

/** Keys come from the request: shown quoted, shortened and few, so a hostile key cannot flood the answer. */
function quotedKeys(keys: ReadonlyArray<string>): string {
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k));
  return shown.join(", ") + (keys.length > 5 ? ` and ${keys.length - 5} more` : "");
}

function sizeMessage(issue: RawFieldIssue, bound: "minimum" | "maximum"): string | undefined {
  const limit = issue[bound];
  if (limit === undefined) return undefined;
  const n = limit instanceof Date ? limit.toISOString() : String(limit);
  const atLeast = bound === "minimum";
  const comparison = issue.exact
    ? "exactly"
    : issue.inclusive === false
      ? atLeast
        ? "more than"
        : "fewer than"
      : atLeast
        ? "at least"
        : "at most";
  switch (issue.origin) {
    case "string":
      if (atLeast && n === "1" && !issue.exact) return "must not be empty";
      return `must be ${comparison} ${n} characters long`;
    case "array":
    case "set":
      if (atLeast && n === "1" && !issue.exact) return "must not be empty";
      return `must have ${comparison} ${n} items`;
    case "number":
    case "bigint":
    case "date": {
      const strict =
        issue.inclusive === false ? (atLeast ? "greater than" : "less than") : atLeast ? "at least" : "at most";
      return `must be ${issue.exact ? "exactly" : strict} ${n}`;
    }
    default:
      return undefined;
  }
}

/** The message for a refused value, or undefined to leave zod's own (for issue kinds not listed here). */
export function fieldMessage(issue: RawFieldIssue): string | undefined {
  // A missing field reads the same whatever it should have held (a string, an enum value, a union).
  if (
    issue.input === undefined &&
    (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union")
  )
    return "required";
  switch (issue.code) {
    case "invalid_type": {
      if (typeof issue.input === "number" && !Number.isFinite(issue.input)) return "must be a finite number";
      const expected = expectedKinds[issue.expected ?? ""] ?? issue.expected ?? "another type";
      if (issue.expected === "int" && typeof issue.input === "number") return "must be a whole number";
      return `must be ${expected}, not ${jsonKindOf(issue.input)}`;
    }
    case "invalid_value": {
      const values = issue.values ?? [];
      return values.length === 1 ? `must be ${listed(values)}` : `must be one of: ${listed(values)}`;
    }
    case "invalid_union":
      // A discriminated union names its discriminator's accepted values.
      if (issue.options?.length) return `must be one of: ${listed(issue.options)}`;
      return "does not match any accepted form";
    case "unrecognized_keys": {
      const keys = issue.keys ?? [];
      return `unknown field${keys.length === 1 ? "" : "s"}: ${quotedKeys(keys)}`;
    }
    case "too_small":
      return sizeMessage(issue, "minimum");
    case "too_big":
      return sizeMessage(issue, "maximum");
    case "invalid_format":
      return issue.format && formats[issue.format] ? `must be ${formats[issue.format]}` : "has an invalid format";
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "invalid_key":
      return "has an invalid key";
    case "invalid_element":
      return "has an invalid element";
    case "custom":
      return "is invalid";
    default:
      return undefined;
  }
}
