import type { RedemptionConfig } from "@regulars/contracts";
import { checkoutPhone, seedSale } from "./checkout-baskets.ts";
import { trpcCall } from "./checkout-http.ts";
import { postTransaction, readBalance } from "./visibility.ts";

export interface AdminTarget {
  apiUrl: string;
  adminKey: string;
}

/** The rate the specification names: 100 points = 5.00, at least 50 at a time, at most 10.00 off an order. */
export const benchRedemption = { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1_000 };

export interface TenantSetup {
  couponCode: string;
  couponCampaignId: string;
  /** Whether the bench set the redemption rate, or found one and kept it. */
  redemption: "set" | "kept";
}

/**
 * What the checkout loads need of the tenant, through the admin API as staff would set it up: the redemption
 * rate, a reward in the catalog (so quotes judge one), and a generic 10 % coupon without limits. On a running
 * system the tenant's own redemption rate and catalog are left alone when it has a rate.
 */
export async function setUpCheckoutTenant(
  target: AdminTarget,
  runId: string,
  ownSystem: boolean,
): Promise<TenantSetup> {
  const call = <T>(kind: "query" | "mutation", path: string, input: unknown) =>
    trpcCall<T>(target.apiUrl, target.adminKey, kind, path, input);
  let redemption: TenantSetup["redemption"] = "set";
  if (!ownSystem) {
    const programme = await call<{ config: { redemption?: RedemptionConfig | null } }>("query", "programme.get", {});
    if (programme.config.redemption) redemption = "kept";
  }
  if (redemption === "set") {
    await call("mutation", "programme.redemption.set", { redemption: benchRedemption });
    await call("mutation", "programme.rewards.upsert", {
      reward: {
        id: "bench-free-fries",
        name: "Free fries",
        points: 300,
        benefit: { kind: "free_item", match: { skus: ["FRIES-M"] } },
      },
    });
  }
  const couponCode = `BENCHQ-${runId.toUpperCase()}`;
  const campaign = await call<{ id: string }>("mutation", "coupons.create", {
    name: `Bench 10 % off ${runId}`,
    benefit: { kind: "percent_off", percent: 10 },
    codes: { kind: "generic", code: couponCode },
  });
  return { couponCode, couponCampaignId: campaign.id, redemption };
}

export interface SeedOptions extends AdminTarget {
  gatewayUrl: string;
  posKey: string;
  customers: number;
  pointsEach: number;
  runId: string;
  /** customers.get calls per batched request (at most the API's API_MAX_BATCH). */
  pollBatch: number;
  timeoutSec: number;
  signal: AbortSignal;
  progress: (line: string) => void;
}

export interface Seeded {
  phones: string[];
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * New members, each enrolled by one big sale through the gateway, waited for until the API shows their points:
 * quotes and holds need members the ledger has processed. Phones carry a random salt, so a running system gets
 * new members every run.
 */
export async function seedCustomers(opts: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const salt = Math.floor(Math.random() * 100_000);
  const phones = Array.from({ length: opts.customers }, (_, i) => checkoutPhone(salt, i));
  let next = 0;
  const post = async () => {
    while (next < phones.length && !opts.signal.aborted) {
      const i = next++;
      const sale = seedSale(`checkout-seed-${opts.runId}-${i}`, phones[i]!, opts.pointsEach, Date.now());
      const status = await postTransaction(opts.gatewayUrl, opts.posKey, sale);
      if (status !== 202) throw new Error(`the gateway answered a seed sale with HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, post));
  opts.progress(`seed: ${phones.length} sales of ${opts.pointsEach.toLocaleString("en-US")} points posted`);

  const waiting = new Set(phones);
  const deadline = performance.now() + opts.timeoutSec * 1_000;
  let lastReport = performance.now();
  while (waiting.size > 0 && !opts.signal.aborted) {
    const pending = [...waiting];
    for (let i = 0; i < pending.length; i += opts.pollBatch) {
      const chunk = pending.slice(i, i + opts.pollBatch);
      const balances = await readBalance(opts.apiUrl, opts.adminKey, chunk);
      for (const phone of chunk) if ((balances.get(phone) ?? 0) > 0) waiting.delete(phone);
    }
    if (waiting.size === 0) break;
    if (performance.now() > deadline)
      throw new Error(`${waiting.size} of ${phones.length} seeded members show no points after ${opts.timeoutSec} s`);
    if (performance.now() - lastReport >= 2_000) {
      lastReport = performance.now();
      opts.progress(`seed: ${phones.length - waiting.size}/${phones.length} members processed`);
    }
    await sleep(250);
  }
  const seconds = (performance.now() - started) / 1_000;
  opts.progress(`seed: ${phones.length} members with points in ${seconds.toFixed(1)} s`);
  return { phones, seconds };
}
