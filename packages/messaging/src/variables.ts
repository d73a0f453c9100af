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
  /** Deep links by name (`{{ links.menu }}`, `{{ links.profile }}`): the brand decides which exist. */
  links: z.record(z.string(), z.string()).optional(),
});
export type MessageVariables = z.infer<typeof MessageVariables>;

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
 * (`links[name]`) cannot be checked statically: it is accepted where the container allows any name.
 */
export function isKnownVariable(path: readonly unknown[]): boolean {
  let node: VariableTree = catalogue;
  for (const segment of path) {
    if (node.kind === "any") return true;
    // `size`, `first` and `last` are Liquid's own properties of strings and lists.
    if (node.kind === "leaf") return segment === "size";
    if (typeof segment !== "string") return false;
    const next: VariableTree | undefined = node.fields[segment];
    if (!next) return false;
    node = next;
  }
  return true;
}
