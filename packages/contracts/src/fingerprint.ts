import { createHash } from "node:crypto";
import type { TransactionInput } from "./transaction.ts";

/** JSON with object keys sorted, so the same content always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * What identifies a posted transaction's content, to tell a repeat (same externalId, same content: a
 * retry, answered as a duplicate) from a conflict (same externalId, different content: refused). It is
 * taken over the validated body, so defaults and key order do not matter, and `occurredAt` counts as
 * an instant: 12:00+01:00 and 11:00Z are the same sale.
 */
export function transactionFingerprint(tx: TransactionInput): string {
  const normalised = { ...tx, occurredAt: new Date(tx.occurredAt).toISOString() };
  return createHash("sha256").update(canonical(normalised)).digest("base64url");
}
