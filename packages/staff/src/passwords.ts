import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Staff passwords as self-describing scrypt strings, `scrypt$N$r$p$salt$hash` (salt and hash base64url), so the
 * cost can be raised later and old hashes still verify with the parameters they were made with.
 * N = 2^15, r = 8 costs about 32 MiB and tens of milliseconds per guess: nothing to a person signing in,
 * much to someone trying a stolen table offline.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Node refuses scrypt above 32 MiB unless told more; a stored hash may ask for at most 4× today's cost. */
const MAX_N = 2 ** 17;
const maxmemFor = (n: number, r: number) => 128 * n * r * 2;

function derive(password: string, salt: Buffer, bytes: number, n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: maxmemFor(n, r) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, bytes, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, COST.N, COST.r, COST.p);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** The stored string's parts, or null when it is not one of ours or asks for an unreasonable cost. */
function parse(stored: string) {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return null;
  const cost = { n: Number(n), r: Number(r), p: Number(p) };
  if (![cost.n, cost.r, cost.p].every(Number.isSafeInteger) || cost.n > MAX_N || cost.r > 32 || cost.p > 4) return null;
  return { ...cost, salt: Buffer.from(salt, "base64url"), hash: Buffer.from(hash, "base64url") };
}

/** Compares in constant time; false for a wrong password and for a hash that is not ours. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = parse(stored);
  if (!parts || parts.hash.length < 16) return false;
  const candidate = await derive(password, parts.salt, parts.hash.length, parts.n, parts.r, parts.p);
  return timingSafeEqual(candidate, parts.hash);
}

let decoy: Promise<string> | undefined;

/**
 * A hash no password matches, checked when a sign-in names an unknown e-mail: the check takes the time a real
 * one does, where answering at once would tell an attacker which addresses have accounts.
 */
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(18).toString("base64url"));
  return decoy;
}

/** 24 characters from 144 random bits, for a password an operator did not choose (CLI, demo owner). */
export const generatePassword = (): string => randomBytes(18).toString("base64url");
