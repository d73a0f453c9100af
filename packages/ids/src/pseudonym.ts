import { randomBytes } from "node:crypto";

/** What every pseudonym starts with: no id of ours does (`idPrefixes`), so a pseudonym is told from a customer id. */
const prefix = "anon_";

/**
 * A stand-in for an erased customer's id in the facts kept about them (ClickHouse rows, the accounting events sent
 * after the erasure): `anon_` and 128 random bits in hex. Random, never derived from the id (as `stableId` would
 * be), so nothing can recompute it from the customer and it leads nowhere once the place that kept it forgets it.
 * Not a ULID: a creation time would tell when the customer was erased.
 */
export const newPseudonym = (): string => `${prefix}${randomBytes(16).toString("hex")}`;

/** Whether the id is a pseudonym (`newPseudonym`) rather than a customer's own id. */
export const isPseudonym = (id: unknown): id is string => typeof id === "string" && id.startsWith(prefix);
