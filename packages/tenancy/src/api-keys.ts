import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { ApiKeyRole } from "@regulars/contracts";

/**
 * API keys are 160 bits of randomness behind a readable prefix (`rk_pos_...`), so a fast hash is
 * enough to store them: nobody can brute-force the preimage, and lookups stay one index probe.
 *
 * Keys end in a CRC32 of everything before it (6 base62 characters, like GitHub's tokens), so a
 * mistyped or made-up key is refused by arithmetic alone: a flood of random keys costs no database
 * lookup and no cache entry. Keys issued before the checksum (27 base64url characters after the role)
 * carry none; they still resolve by lookup.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_CHARS = 27; // 62^27 > 2^160
const CHECKSUM_CHARS = 6; // 62^6 > 2^32

function base62(value: bigint, width: number): string {
  let out = "";
  for (let v = value; v > 0n; v /= 62n) out = BASE62[Number(v % 62n)] + out;
  return out.padStart(width, "0");
}

const checksumOf = (body: string): string => base62(BigInt(crc32(body)), CHECKSUM_CHARS);

export function generateApiKey(role: ApiKeyRole): string {
  const body = `rk_${role}_${base62(BigInt(`0x${randomBytes(20).toString("hex")}`), RANDOM_CHARS)}`;
  return `${body}${checksumOf(body)}`;
}

const checksummedKey = new RegExp(
  `^rk_(${ApiKeyRole.options.join("|")})_[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`,
);
// Keys without checksum predate the app role: only the first four roles had them.
const legacyKey = /^rk_(admin|pos|kiosk|analyst)_[A-Za-z0-9_-]{27}$/;

/**
 * What can be told about a key without the database: `checksummed` (worth a lookup), `legacy` (an
 * older key without checksum: only a lookup can tell) or `invalid` (refuse, no lookup).
 */
export function classifyApiKey(key: string): "checksummed" | "legacy" | "invalid" {
  if (checksummedKey.test(key)) {
    const split = key.length - CHECKSUM_CHARS;
    return checksumOf(key.slice(0, split)) === key.slice(split) ? "checksummed" : "invalid";
  }
  return legacyKey.test(key) ? "legacy" : "invalid";
}

export const hashApiKey = (key: string): string => hash("sha256", key, "hex");

/** What may be shown in a list of keys: enough to recognise one, never enough to use it. */
export const displayPrefix = (key: string): string => key.slice(0, key.indexOf("_", 3) + 5);
