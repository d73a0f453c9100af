import type { FieldCondition } from "@regulars/contracts";

const absent = Symbol("absent");

/** The value at a dotted path (`properties.formId`, `lines.0.sku`), or `absent`; only own fields are read. */
export function fieldAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) return absent;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * Whether one condition holds. Strict on purpose: no type coercion (`"5"` is not `5`), numeric comparisons
 * only between numbers, and a missing field fails every test except `ne` and `exists: false`, so a typo in a
 * field name matches nobody rather than everybody.
 */
export function conditionHolds(condition: FieldCondition, event: unknown): boolean {
  const v = fieldAt(event, condition.field);
  switch (condition.op) {
    case "exists":
      return (v !== absent && v !== null) === condition.value;
    case "eq":
      return v === condition.value;
    case "ne":
      return v !== condition.value;
    case "in":
      return isScalar(v) && condition.value.includes(v);
    case "contains":
      return Array.isArray(v) && v.includes(condition.value);
    case "gt":
      return typeof v === "number" && v > condition.value;
    case "gte":
      return typeof v === "number" && v >= condition.value;
    case "lt":
      return typeof v === "number" && v < condition.value;
    case "lte":
      return typeof v === "number" && v <= condition.value;
  }
}

/** Every condition holds (an empty list holds for every event). */
export const conditionsHold = (conditions: readonly FieldCondition[], event: unknown): boolean =>
  conditions.every((c) => conditionHolds(c, event));
