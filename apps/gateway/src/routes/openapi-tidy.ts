/**
 * Corrections to what @hono/zod-openapi's generator writes, applied once to the generated document.
 *
 * - A field that describes itself (`customer: CustomerRef.nullish().meta({ description })`) loses the
 *   reference to its named schema: the generator inlines a copy. Code generators then invent a second
 *   type for the same thing. Such copies become `$ref`s again, keeping the field's own description.
 * - An optional-and-nullable reference comes out as `allOf: [$ref, {type: [..., "null"]}]`, which no
 *   null satisfies. It becomes what the contract means: `anyOf: [$ref, {type: "null"}]`.
 */
type Schema = Record<string, unknown>;

/** Keys that document a schema without changing what it accepts. */
const documentation = new Set(["description", "examples", "example", "default", "title"]);

const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** What a schema accepts, without its documentation and without `null`, plus whether it took `null`. */
function acceptance(schema: Schema): { key: string; nullable: boolean } {
  const rest: Schema = {};
  let nullable = false;
  for (const [k, v] of Object.entries(schema)) {
    if (documentation.has(k)) continue;
    if (k === "type" && Array.isArray(v) && v.includes("null")) {
      nullable = true;
      const types = v.filter((t) => t !== "null");
      rest.type = types.length === 1 ? types[0] : types;
    } else if (k === "enum" && Array.isArray(v) && v.includes(null)) {
      nullable = true;
      rest.enum = v.filter((e) => e !== null);
    } else rest[k] = v;
  }
  return { key: stableJson(rest), nullable };
}

function nullableRefAsAnyOf(schema: Schema): Schema {
  const allOf = schema.allOf;
  if (
    !Array.isArray(allOf) ||
    allOf.length !== 2 ||
    !isObject(allOf[0]) ||
    typeof allOf[0].$ref !== "string" ||
    !isObject(allOf[1])
  )
    return schema;
  const { allOf: _, ...outer } = schema;
  const { type, ...extra } = allOf[1];
  if (type === undefined) return { ...outer, ...extra, $ref: allOf[0].$ref };
  if (Array.isArray(type) && type.includes("null")) return { ...outer, ...extra, anyOf: [allOf[0], { type: "null" }] };
  return schema;
}

export function tidyOpenApiDocument<T extends object>(generated: T): T {
  const document = generated as Schema;
  const components = (
    isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {}
  ) as Record<string, Schema>;
  const byAcceptance = new Map<string, string>();
  for (const [name, schema] of Object.entries(components)) byAcceptance.set(acceptance(schema).key, name);

  const visit = (node: unknown, isComponentRoot = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => visit(n));
    if (!isObject(node)) return node;
    const schema = nullableRefAsAnyOf(Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)])));
    if (isComponentRoot || schema.$ref !== undefined || schema.type === undefined) return schema;
    const { key, nullable } = acceptance(schema);
    const name = byAcceptance.get(key);
    if (!name) return schema;
    const ref = { $ref: `#/components/schemas/${name}` };
    const docs = Object.fromEntries(
      Object.entries(schema).filter(
        ([k, v]) => documentation.has(k) && stableJson(v) !== stableJson(components[name]![k]),
      ),
    );
    return nullable ? { ...docs, anyOf: [ref, { type: "null" }] } : { ...docs, ...ref };
  };

  const tidied = visit({ ...document, components: undefined }) as Schema;
  const tidiedComponents = Object.fromEntries(
    Object.entries(components).map(([name, schema]) => [name, visit(schema, true)]),
  );
  return { ...tidied, components: { ...(document.components as Schema), schemas: tidiedComponents } } as unknown as T;
}
