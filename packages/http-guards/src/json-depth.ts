/**
 * True if JSON text nests objects/arrays deeper than `max`, found by scanning the text without parsing it.
 * Deeply nested input is refused before any parser, validator or walker recurses through it: recursion
 * that deep ends in a stack overflow, which would surface as a 500.
 */
export function jsonNestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Enough for every real request; far below what recursive code survives. */
export const MAX_REQUEST_JSON_DEPTH = 32;
