import { randomBytes } from "node:crypto";
import { CODE_ALPHABET, CodePattern, normalizeCouponCode } from "@regulars/contracts";

/**
 * Unique coupon codes from a pattern such as `WELCOME-XXXXXXXX`: each X of the longest run of X's becomes a
 * letter of CODE_ALPHABET, drawn from the operating system's CSPRNG, so codes cannot be guessed from each
 * other. Other X's stay as written (`XMAS-XXXXXX` keeps its `XMAS`), so only the longest run counts towards
 * the space, and only in CODE_ALPHABET's 24 letters: a guesser who knows the alphabet needs no more.
 */

/**
 * A pattern must offer this many combinations per code it holds: one random guess in a million is a real
 * code. A quote takes 20 codes and a kiosk key 50 quotes a second, 1,000 guesses a second: at this factor
 * one hit per ~17 minutes of such hammering, where 10 gave one per 10 ms. In letters: 8 X's hold
 * 110,075 codes, each X more 24 times as many.
 */
export const CODE_SPACE_FACTOR = 1_000_000;

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

const capacityOf = (randomLength: number) => Math.floor(LETTERS ** randomLength / CODE_SPACE_FACTOR);

/** The most codes a pattern may hold in all, with the safety factor. */
export const patternCapacity = (pattern: string): number => capacityOf(patternShape(pattern).randomLength);

/** The fewest X's (at least the 4 CodePattern asks for) whose codes stay unguessable with `count` of them issued. */
export function randomLengthFor(count: number): number {
  let length = 4;
  while (capacityOf(length) < count) length++;
  return length;
}

const figure = (n: number) => n.toLocaleString("en-US");

/**
 * What an admin reads when a pattern cannot hold `count` codes in all: what it holds and the pattern that
 * would, e.g. "WELCOME-XXXX holds at most 0 codes, too few for 2,000: use 7 X's, as in WELCOME-XXXXXXX …".
 */
export function patternTooShortMessage(pattern: string, count: number): string {
  const { prefix, suffix } = patternShape(pattern);
  const length = randomLengthFor(count);
  return (
    `pattern ${pattern} holds at most ${figure(patternCapacity(pattern))} codes, too few for ${figure(count)}: ` +
    `use ${length} X's, as in ${prefix}${"X".repeat(length)}${suffix} (one code per ${figure(CODE_SPACE_FACTOR)} ` +
    "combinations keeps codes unguessable)"
  );
}

/** How many more codes the pattern may hold beside `existing` ones of its shape: never below 0. */
export const patternRoom = (pattern: string, existing: number): number =>
  Math.max(0, patternCapacity(pattern) - existing);

/**
 * What an admin reads when `count` more codes do not fit beside the `existing` ones: the room left, the request, and
 * a longer pattern that would hold the request on its own (its shape starts empty), e.g. "pattern LUNCH-XXXXXXX
 * holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's or import's: 586 more fit, not
 * 2,000; for more, use 8 X's, as in LUNCH-XXXXXXXX (…)". With none there, the request is all of it.
 */
export function patternRoomMessage(pattern: string, existing: number, count: number): string {
  if (!existing) return patternTooShortMessage(pattern, count);
  const { prefix, suffix, randomLength } = patternShape(pattern);
  // More X's than now even when the request alone would fit the pattern's length: that shape is the full one.
  const length = Math.max(randomLengthFor(count), randomLength + 1);
  return (
    `pattern ${pattern} holds at most ${figure(patternCapacity(pattern))} codes and the tenant has ` +
    `${figure(existing)} of them already, any campaign's or import's: ${figure(patternRoom(pattern, existing))} more ` +
    `fit, not ${figure(count)}; for more, use ${length} X's, as in ${prefix}${"X".repeat(length)}${suffix} ` +
    `(one code per ${figure(CODE_SPACE_FACTOR)} combinations keeps codes unguessable)`
  );
}

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
 * cannot hold them and the taken ones with CODE_SPACE_FACTOR to spare: such codes would be guessable.
 */
export function generateCodes(pattern: string, count: number, opts: GenerateCodesOptions = {}): string[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0: ${count}`);
  const { prefix, suffix, randomLength } = patternShape(pattern);
  const taken = opts.taken;
  const total = count + (taken?.size ?? 0);
  if (capacityOf(randomLength) < total) throw new RangeError(patternTooShortMessage(pattern, total));
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

/** A code as stored and compared; one rule with the one that posted sales' codes go through at the door. */
export const normalizeCode = normalizeCouponCode;
