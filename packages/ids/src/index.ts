import { createHash } from "node:crypto";
import { monotonicFactory } from "ulidx";

/**
 * Prefixed ids: the prefix tells a reader what an id refers to (`cus_...` in a log line is a customer),
 * the ULID body sorts by creation time so indexes stay append-mostly.
 */
export const idPrefixes = {
  tenant: "ten",
  apiKey: "key",
  customer: "cus",
  transaction: "txn",
  movement: "mov",
  event: "evt",
  request: "req",
} as const;
export type IdKind = keyof typeof idPrefixes;

const ulid = monotonicFactory();

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${ulid().toLowerCase()}`;
}

/**
 * An id derived from a natural key, for things that must get the same id however often they are
 * submitted (a transaction retried by a POS gets the id of its first submission).
 */
export function stableId(kind: IdKind, ...naturalKey: string[]): string {
  const digest = createHash("sha256").update(naturalKey.join("\u0000")).digest("base64url");
  return `${idPrefixes[kind]}_${digest.slice(0, 26).toLowerCase().replace(/[-_]/g, "x")}`;
}
