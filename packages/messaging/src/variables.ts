import { z } from "zod";

/**
 * What a template can refer to. Templates are checked against this catalogue when they are saved, so a
 * typo (`customer.frist_name`) is refused then, not discovered when a campaign sends. Names follow the
 * snake_case convention marketing tools use in Liquid.
 */
export const MessageVariables = z.object({
  customer: z.object({
    first_name: z.string(),
    last_name: z.string().optional(),
    tier: z.string().optional(),
  }),
  points: z
    .object({
      balance: z.number().int(),
      /** Points still missing to the next tier ("Only 20 points to gold"). */
      to_next_tier: z.number().int().optional(),
      next_tier: z.string().optional(),
      /** Points about to expire and the day they do, already written in the tenant's zone and language. */
      expiring: z.number().int().optional(),
      expiring_on: z.string().optional(),
    })
    .optional(),
  coupon: z
    .object({
      code: z.string(),
      title: z.string().optional(),
      expires_on: z.string().optional(),
    })
    .optional(),
  tenant: z.object({ name: z.string() }).optional(),
  /**
   * By tier id, what the customer still lacks of each tier above theirs, in the tiers' unit (points earned, spend in
   * minor units, or orders): `{{ tier_gaps.gold }}` in a `tier_gap` campaign's message ("Only 20 points to gold").
   */
  tier_gaps: z.record(z.string(), z.number()).optional(),
});
export type MessageVariables = z.infer<typeof MessageVariables>;

/**
 * What a template is tried with when it is saved, to find one that breaks a render limit: every variable
 * present, then only what every customer has, so both sides of `{% if coupon %}` are tried.
 */
export const sampleVariables: readonly MessageVariables[] = [
  {
    customer: { first_name: "Alexandra", last_name: "Example", tier: "Gold" },
    points: { balance: 1_250, to_next_tier: 250, next_tier: "Platinum", expiring: 100, expiring_on: "31 December" },
    coupon: { code: "SAMPLE-CODE", title: "Sample coupon", expires_on: "31 December" },
    tenant: { name: "Sample Brand" },
    tier_gaps: { platinum: 250 },
  },
  { customer: { first_name: "Alexandra" }, points: { balance: 0 }, tenant: { name: "Sample Brand" } },
];

/** A node of the catalogue: the names below it, or `any` where every name is allowed (a record). */
type VariableTree = { kind: "leaf" } | { kind: "any" } | { kind: "object"; fields: Record<string, VariableTree> };

function treeOf(schema: z.ZodType): VariableTree {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  if ((def.type === "optional" || def.type === "nullable") && def.innerType) return treeOf(def.innerType);
  if (schema instanceof z.ZodObject) {
    const fields: Record<string, VariableTree> = {};
    for (const [name, field] of Object.entries(schema.shape)) fields[name] = treeOf(field as z.ZodType);
    return { kind: "object", fields };
  }
  if (def.type === "record") return { kind: "any" };
  return { kind: "leaf" };
}

const catalogue = treeOf(MessageVariables);

/**
 * Whether a variable path a template uses exists in the catalogue. A segment that is itself computed
 * (`coupon[key]`) cannot be checked statically: it is accepted only where the container allows any name.
 */
export function isKnownVariable(path: readonly unknown[]): boolean {
  let node: VariableTree = catalogue;
  for (const segment of path) {
    if (node.kind === "any") return true;
    // `size`, `first` and `last` are Liquid's own properties of strings and lists.
    if (node.kind === "leaf") return segment === "size";
    // Own names only: `constructor` or `__proto__` are every object's, never a variable.
    if (typeof segment !== "string" || !Object.hasOwn(node.fields, segment)) return false;
    const next: VariableTree | undefined = node.fields[segment];
    if (!next) return false;
    node = next;
  }
  return true;
}
