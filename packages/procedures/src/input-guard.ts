import { unstorableText } from "@regulars/contracts";
import { type FieldIssue, formatIssuePath } from "@regulars/errors";

/** Deeper than any procedure's input; the HTTP host refuses deeper JSON before parsing it. */
const MAX_INPUT_DEPTH = 32;

/**
 * Every string and key of a procedure's raw input, checked once for all procedures: Postgres refuses NUL
 * in text (a 500 if it got that far), and control characters or unpaired surrogates have no place in
 * anything we store or echo. Each problem is reported with its field path.
 */
export function unsafeInputIssues(
  value: unknown,
  path: (string | number)[] = [],
  depth = 0,
  issues: FieldIssue[] = [],
): FieldIssue[] {
  if (issues.length >= 20) return issues; // enough to fix the request; do not walk a hostile payload to the end
  if (typeof value === "string") {
    const problem = unstorableText(value);
    if (problem) issues.push({ path: formatIssuePath(path), message: problem });
  } else if (value !== null && typeof value === "object") {
    if (depth >= MAX_INPUT_DEPTH) {
      issues.push({ path: formatIssuePath(path), message: `must not nest deeper than ${MAX_INPUT_DEPTH} levels` });
      return issues;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [key, child] of entries) {
      const keyProblem = typeof key === "string" ? unstorableText(key) : null;
      if (keyProblem) issues.push({ path: formatIssuePath([...path, key]), message: `key ${keyProblem}` });
      unsafeInputIssues(child, [...path, key], depth + 1, issues);
    }
  }
  return issues;
}
