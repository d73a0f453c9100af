/**
 * `CouponCode` from @regulars/contracts (packages/contracts/src/coupon-code.ts), which `checkout.quote` validates:
 * a code it would refuse is caught here, in the customer's words, rather than failing the whole quote. A copy,
 * because the kiosk reaches the API through its types only.
 */
const couponCode = /^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/;

/** The codes once the customer typed one more: upper-case, as the server compares them, and each once. */
export function withTypedCode(codes: readonly string[], typed: string): string[] | "malformed" {
  const code = typed.trim().toUpperCase();
  if (!couponCode.test(code)) return "malformed";
  return codes.includes(code) ? [...codes] : [...codes, code];
}

/**
 * The code to take back after a quote was refused: the one its issues name (`couponCodes.3`), or the last typed when
 * they refuse the list as a whole (one code too many), else none. A failure that names no code (the server down, a
 * proxy's error page, a refusal of something else) is no reason to blame the customer's coupon: they are offered to
 * try again instead.
 */
export function codeToRemove(issuePaths: readonly string[], codes: readonly string[]): string | undefined {
  for (const path of issuePaths) {
    const index = /^couponCodes\.(\d+)/.exec(path)?.[1];
    const named = index === undefined ? undefined : codes[Number(index)];
    if (named) return named;
  }
  return issuePaths.includes("couponCodes") ? codes.at(-1) : undefined;
}

/**
 * Whether a quote was refused because the kiosk tried too many unknown codes lately (429 with an issue on
 * `couponCodes`): every code is held, known ones too, until the wait the server named has passed, and removing one
 * would not help. The same order without codes is priced, so the customer is offered to go on without them. A rate
 * limit of the kiosk as a whole names no codes: going on without them would change nothing.
 */
export function codesHeldByLimit(
  status: number | undefined,
  issuePaths: readonly string[],
  codes: readonly string[],
): boolean {
  return status === 429 && codes.length > 0 && issuePaths.includes("couponCodes");
}
