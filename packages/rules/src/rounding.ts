/**
 * Floor that forgives float noise: 0.6 + 0.3 + 0.1 sums to 0.9999999999999999 and must floor to 1. The
 * allowance is a few units in the last place of `x` (plus 1e-9 for small values), never a fixed share of
 * `x`: at 10^10 points a relative 1e-9 would add 10 points that nobody earned.
 */
export const floorForgivingNoise = (x: number): number => Math.floor(x + 1e-9 + 16 * Number.EPSILON * Math.abs(x));
