import fc from "fast-check";

/**
 * Request bodies as a careless or hostile client writes them: arbitrary JSON, text that is not JSON,
 * and valid bodies broken in the ways integrations break them (a wrong type, a missing field, a
 * number past 2^53 or past what JSON can carry, NUL and other control characters, lone surrogates,
 * nesting thousands deep, unknown fields, duplicate keys).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = (string | number)[];

export const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u0007",
    "\u001b[31mred",
    "\u007f",
    "\u0085",
    "\ud800",
    "\udc00",
    "x\udbffy",
    "\u202eevil",
    "😀",
    "'; DROP TABLE transactions; --",
    "../../etc/passwd",
    "x".repeat(300),
    "ä".repeat(70),
    "2026-02-30T25:61:00Z",
  ),
);

export const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -1,
    1.5,
    0.1,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    1e12,
    1e12 + 1,
    1e15,
    1e308,
    Number.MAX_SAFE_INTEGER,
    5e-324,
  ),
);

export const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
);

const treeMutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), pick: fc.nat(), value: nastyValue }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("extra" as const), pick: fc.nat(), key: nastyString, value: nastyValue }),
  fc.record({ kind: fc.constant("repeat" as const), pick: fc.nat(), times: fc.integer({ min: 2, max: 600 }) }),
);

/** Mutations of the serialised text: things `JSON.stringify` never writes but a client's code might. */
const textMutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "none" as const }) },
  fc.record({ kind: fc.constant("deep" as const), depth: fc.integer({ min: 2, max: 2_000 }) }),
  fc.record({
    kind: fc.constant("number" as const),
    literal: fc.constantFrom(
      "1e999",
      "-1e999",
      "1e-999",
      "123456789012345678901234567890",
      "-0",
      "1E2",
      "0.30000000000000004",
    ),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.constant({ kind: "bom" as const }),
  fc.record({
    kind: fc.constant("duplicateKey" as const),
    key: fc.constantFrom("total", "externalId", "type", "lines", "customer"),
    value: nastyValue,
  }),
);

export interface Plan {
  template: number;
  mutations: {
    kind: "set" | "delete" | "extra" | "repeat";
    pick: number;
    value?: Json;
    key?: string;
    times?: number;
  }[];
  text: {
    kind: "none" | "deep" | "number" | "truncate" | "bom" | "duplicateKey";
    depth?: number;
    literal?: string;
    at?: number;
    key?: string;
    value?: Json;
  };
}

/** Either a mutated valid body (most of the time: they get past the first checks) or arbitrary input. */
export const bodyPlan = (templates: number) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        template: fc.nat({ max: templates - 1 }),
        mutations: fc.array(treeMutation, { maxLength: 3 }),
        text: textMutation,
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ raw: JSON.stringify(value) })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((raw) => ({ raw })) },
  );
export type BodyPlan = { raw: string } | Plan;

function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) for (const [i, v] of value.slice(0, 5).entries()) out.push(...pathsOf(v, [...at, i]));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

function parentOf(root: any, path: Path): any {
  return path.slice(0, -1).reduce((node, key) => node?.[key], root);
}

function mutateTree(body: Json, mutations: Plan["mutations"]): Json {
  let root: any = structuredClone(body);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.pick % paths.length]!;
    if (path.length === 0) {
      if (m.kind === "set") root = m.value;
      continue;
    }
    const parent = parentOf(root, path);
    const key = path[path.length - 1]!;
    if (parent === null || typeof parent !== "object") continue;
    if (m.kind === "set") parent[key] = m.value;
    else if (m.kind === "delete") Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
    else if (m.kind === "extra") {
      const target = parent[key];
      if (target && typeof target === "object" && !Array.isArray(target)) target[m.key!] = m.value;
    } else if (m.kind === "repeat" && Array.isArray(parent[key]))
      parent[key] = Array.from({ length: m.times! }, (_, i) => parent[key][i % parent[key].length]);
  }
  return root;
}

function mutateText(text: string, m: Plan["text"]): string {
  switch (m.kind) {
    case "deep": {
      const deep = `${"[".repeat(m.depth!)}1${"]".repeat(m.depth!)}`;
      return text.endsWith("}") && text.length > 2 ? `${text.slice(0, -1)},"deep":${deep}}` : deep;
    }
    case "number":
      return text.replace(/:(-?\d+(\.\d+)?)/, `:${m.literal}`);
    case "truncate":
      return text.slice(0, m.at! % Math.max(1, text.length));
    case "bom":
      return `\ufeff${text}`;
    case "duplicateKey":
      return text.endsWith("}") && text.length > 2
        ? `${text.slice(0, -1)},${JSON.stringify(m.key)}:${JSON.stringify(m.value)}}`
        : text;
    default:
      return text;
  }
}

/** The body to send (JSON text) and, when it is JSON, what the server will parse. */
export function realise(plan: BodyPlan, templates: Json[]): { text: string; parsed: unknown } {
  const text =
    "raw" in plan
      ? plan.raw
      : mutateText(JSON.stringify(mutateTree(templates[plan.template]!, plan.mutations)), plan.text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { text, parsed };
}
