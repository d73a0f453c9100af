import { randomBytes } from "node:crypto";
import { CODE_ALPHABET, CodePattern } from "@regulars/contracts";

/**
 * Unique coupon codes from a pattern such as `WELCOME-XXXX`: each X of the longest run of X's becomes a
 * letter of CODE_ALPHABET, drawn from the operating system's CSPRNG, so codes cannot be guessed from each
 * other. Other X's stay as written (`XMAS-XXXXXX` keeps its `XMAS`).
 */

/** A pattern must offer this many times more codes than are wanted, so guessing one stays hopeless. */
export const CODE_SPACE_FACTOR = 10;

const LETTERS = CODE_ALPHABET.length;
// Bytes at or above the largest multiple of the alphabet's size are thrown away: `byte % 24` over all
// 256 values would favour the first 16 letters.
const UNBIASED_BELOW = 256 - (256 % LETTERS);

export interface PatternShape {
  prefix: string;
  suffix: string;
  /** The X's that become random letters. */
  randomLength: number;
}

export function patternShape(pattern: string): PatternShape {
  const valid = CodePattern.parse(pattern);
  let best = { start: 0, length: 0 };
  for (const run of valid.matchAll(/X+/g)) {
    if (run[0].length > best.length) best = { start: run.index, length: run[0].length };
  }
  return {
    prefix: valid.slice(0, best.start),
    suffix: valid.slice(best.start + best.length),
    randomLength: best.length,
  };
}

/** How many different codes the pattern can make. A float: 24^14 already passes 2^53, which is fine for comparing. */
export const patternSpace = (pattern: string): number => LETTERS ** patternShape(pattern).randomLength;

/** The most codes a pattern may hold in all, with the safety factor. */
export const patternCapacity = (pattern: string): number => Math.floor(patternSpace(pattern) / CODE_SPACE_FACTOR);

export const patternTooShortMessage = (count: number) => `pattern too short for ${count} codes: add X's`;

/** Anything that can tell whether a code exists already (a Set, or a lookup over stored codes). */
export interface TakenCodes {
  has(code: string): boolean;
  readonly size?: number;
}

export interface GenerateCodesOptions {
  /** Codes that exist already: never produced again, and counted against the pattern's capacity. */
  taken?: TakenCodes;
}

/** Random letters, 4 KiB of entropy at a time; one crypto call per letter would dominate 100k codes. */
class LetterSource {
  private pool: Uint8Array = new Uint8Array(0);
  private offset = 0;
  next(): string {
    for (;;) {
      if (this.offset >= this.pool.length) {
        this.pool = randomBytes(4096);
        this.offset = 0;
      }
      const byte = this.pool[this.offset++]!;
      if (byte < UNBIASED_BELOW) return CODE_ALPHABET[byte % LETTERS]!;
    }
  }
}

/**
 * `count` distinct codes of the pattern, none of them in `taken`. Refuses (RangeError) when the pattern
 * cannot hold them with CODE_SPACE_FACTOR to spare: such codes would be easy to guess, and drawing
 * would slow down as the space fills.
 */
export function generateCodes(pattern: string, count: number, opts: GenerateCodesOptions = {}): string[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0: ${count}`);
  const { prefix, suffix, randomLength } = patternShape(pattern);
  const taken = opts.taken;
  if (LETTERS ** randomLength < CODE_SPACE_FACTOR * (count + (taken?.size ?? 0)))
    throw new RangeError(patternTooShortMessage(count));
  const letters = new LetterSource();
  const made = new Set<string>();
  while (made.size < count) {
    let body = "";
    for (let i = 0; i < randomLength; i++) body += letters.next();
    const code = prefix + body + suffix;
    if (!taken?.has(code)) made.add(code);
  }
  return [...made];
}

const DASHES = /[\u2010-\u2015\u2212]/g;

/**
 * A code as stored and compared: trimmed, upper case, typographic dashes (which spreadsheets and
 * word processors put in) as '-'. Validity is CouponCode's to judge.
 */
export const normalizeCode = (raw: string): string => raw.trim().replace(DASHES, "-").toUpperCase();
