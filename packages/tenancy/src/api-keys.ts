import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyRole } from "@regulars/contracts";

/**
 * API keys are 160 bits of randomness behind a readable prefix (`rk_pos_...`), so a fast hash is
 * enough to store them: nobody can brute-force the preimage, and lookups stay one index probe.
 */
export function generateApiKey(role: ApiKeyRole): string {
  return `rk_${role}_${randomBytes(20).toString("base64url")}`;
}

export const hashApiKey = (key: string): string => createHash("sha256").update(key).digest("hex");

/** What may be shown in a list of keys: enough to recognise one, never enough to use it. */
export const displayPrefix = (key: string): string => key.slice(0, key.indexOf("_", 3) + 5);
