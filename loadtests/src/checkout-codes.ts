import { generateCodes } from "@regulars/checkout";
import { trpcCall } from "./checkout-http.ts";
import type { AdminTarget } from "./checkout-seed.ts";

/** 24^9 ≈ 2.6 × 10^12 combinations hold 2.6 million codes at one per million: more than one generation may make. */
export const benchCodePattern = "BENCH-XXXXXXXXX";

export interface PureGeneration {
  count: number;
  /** Each timed run, in ms. */
  runsMs: number[];
}

export interface AdminGeneration {
  count: number;
  inserted: number;
  /** From sending `coupons.generateCodes` to its answer: what the admin waits. */
  roundTripMs: number;
  /** What the server measured around generating and inserting, in its one transaction. */
  serverMs: number;
}

/**
 * `generateCodes` alone (CSPRNG draws, uniqueness), in this process, `runs` times after one small run that
 * loads and compiles the code.
 */
export function timePureGeneration(count: number, runs = 3): PureGeneration {
  generateCodes(benchCodePattern, 1_000);
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const codes = generateCodes(benchCodePattern, count);
    runsMs.push(performance.now() - started);
    if (codes.length !== count) throw new Error(`generateCodes made ${codes.length} codes, not ${count}`);
  }
  return { count, runsMs };
}

/**
 * What an admin sees: a new unique-code campaign, then `coupons.generateCodes` for `count` codes through the
 * API (generation and the inserts in one transaction). The campaign is paused afterwards so a running system
 * is not left with a live campaign of bench codes.
 */
export async function timeAdminGeneration(target: AdminTarget, runId: string, count: number): Promise<AdminGeneration> {
  const call = <T>(path: string, input: unknown) =>
    trpcCall<T>(target.apiUrl, target.adminKey, "mutation", path, input);
  const campaign = await call<{ id: string }>("coupons.create", {
    name: `Bench codes ${runId}`,
    benefit: { kind: "fixed_off", amount: 100 },
    limits: { perCode: 1 },
    codes: { kind: "unique", pattern: benchCodePattern },
  });
  const started = performance.now();
  const generated = await call<{ inserted: number; ms: number }>("coupons.generateCodes", { id: campaign.id, count });
  const roundTripMs = performance.now() - started;
  await call("coupons.pause", { id: campaign.id });
  return { count, inserted: generated.inserted, roundTripMs, serverMs: generated.ms };
}
