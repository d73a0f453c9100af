import { hash, randomBytes } from "node:crypto";

export { isPseudonym, newPseudonym } from "./pseudonym.ts";

/**
 * Prefixed ids: the prefix tells a reader what an id refers to (`cus_...` in a log line is a customer),
 * the body is a ULID (48-bit millisecond time + 80 random bits, Crockford base32, lower case), so ids
 * sort by creation time and indexes stay append-mostly. Monotonic within a millisecond.
 */
export const idPrefixes = {
  tenant: "ten",
  apiKey: "key",
  customer: "cus",
  transaction: "txn",
  movement: "mov",
  event: "evt",
  request: "req",
  couponCampaign: "cpn",
  couponUse: "cpu",
  walletCoupon: "wcp",
  hold: "hld",
  message: "msg",
  segment: "seg",
  messageTemplate: "tpl",
  campaign: "cmp",
  staff: "stf",
} as const;
export type IdKind = keyof typeof idPrefixes;

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

// Random bytes are drawn 4 KiB at a time: ids are minted on the ingestion hot path, and one
// crypto call per id (or per character, as some ULID libraries do) showed up in its profile.
let pool = randomBytes(4096);
let poolOffset = 0;
function randomChars(count: number): string {
  if (poolOffset + count > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  let out = "";
  for (let i = 0; i < count; i++) out += alphabet[pool[poolOffset++]! & 31];
  return out;
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = alphabet[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** Next base32 string of the same length; random parts never realistically reach all-'z'. */
function increment(s: string): string {
  const chars = s.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    const v = alphabet.indexOf(chars[i]!);
    if (v < 31) {
      chars[i] = alphabet[v + 1]!;
      return chars.join("");
    }
    chars[i] = "0";
  }
  return chars.join("");
}

let lastTime = -1;
let lastRandom = "";

export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomChars(16);
  }
  return encodeTime(lastTime) + lastRandom;
}

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${ulid()}`;
}

/**
 * An id derived from a natural key, for things that must get the same id however often they are
 * submitted (a transaction retried by a POS gets the id of its first submission).
 */
export function stableId(kind: IdKind, ...naturalKey: string[]): string {
  const digest = hash("sha256", naturalKey.join("\u0000"), "base64url");
  return `${idPrefixes[kind]}_${digest.slice(0, 26).toLowerCase().replace(/[-_]/g, "x")}`;
}
