/**
 * Checkout load for SREs: members quote a basket with a coupon and points, hold it, and post the sale that
 * commits the hold; a share of the orders is abandoned and its hold voided. Checkouts arrive at a constant rate.
 *
 *   GATEWAY_URL=https://gateway.staging.example POS_KEY=... COUPON_CODE=SUMMER10 k6 run loadtests/k6/checkout.ts
 *
 * The tenant must let points be spent (a redemption rate in its programme: `programme.redemption.set`) and
 * COUPON_CODE, when given, must be a generic coupon without limits; setup() checks both with one quote. Members
 * are made by setup(): CUSTOMERS new phones, each enrolled by one sale worth SEED_POINTS points at 1 point per
 * 1.00, waited for until processed.
 *
 * Optional: RATE (checkouts/s, default 20), DURATION (default 5m), MAX_VUS (default 300), POINTS (per hold,
 * default 50; 0: none, which needs a COUPON_CODE), CUSTOMERS (default 200), SEED_POINTS (default 20000),
 * ABANDON_SHARE (default 0.1), SEED_TIMEOUT_S (default 120). Run the gateway with RATE_LIMIT_POS=off (or raised):
 * every VU uses POS_KEY, a POS key (the sales are of channel pos, which a kiosk key may not post).
 */
import { check, fail, sleep } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Rate, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import {
  checkoutPhone,
  createCheckoutBasketFactory,
  holdBody,
  type QuotedLines,
  quoteBody,
  saleOfHold,
  seedSale,
} from "../src/checkout-baskets.ts";
import { jsonValue } from "../src/k6-answers.ts";
import { demoMenu } from "../src/menu.ts";
import { constantArrival, gatewayUrl, nonNegativeSetting, posHeaders, type RunData, setUpTillRun } from "./shared.ts";

const couponCode = __ENV.COUPON_CODE ?? "";
const points = nonNegativeSetting("POINTS", 50);
const abandonShare = nonNegativeSetting("ABANDON_SHARE", 0.1);

export const options: Options = {
  setupTimeout: `${nonNegativeSetting("SEED_TIMEOUT_S", 120) + 60}s`,
  scenarios: {
    checkout: constantArrival({
      rate: nonNegativeSetting("RATE", 20),
      duration: "5m",
      maxVUs: nonNegativeSetting("MAX_VUS", 300),
      preAllocatedCap: 100,
    }),
  },
  thresholds: {
    "http_req_duration{name:POST /v1/checkout/quote}": ["p(99)<50"],
    "http_req_duration{name:POST /v1/checkout/holds}": ["p(99)<100"],
    "http_req_duration{name:DELETE /v1/checkout/holds/:holdId}": ["p(99)<100"],
    "http_req_duration{name:POST /v1/transactions}": ["p(99)<250"],
    // A refused hold (409) is an answer, counted by checkout_hold_refused, not a failed request.
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    // Every member has points for all its holds and the coupon has no limits: a refusal is a fault.
    checkout_hold_refused: ["rate<0.01"],
    dropped_iterations: ["count<100"],
  },
};

/** From the quote sent to the sale accepted: what one checkout costs the till. */
const checkoutLatency = new Trend("checkout_latency", true);
const holdRefused = new Rate("checkout_hold_refused");
const committed = new Counter("checkout_committed");
const abandoned = new Counter("checkout_abandoned");

const nextBasket = createCheckoutBasketFactory({ menu: demoMenu });
const selection = { couponCodes: couponCode ? [couponCode] : [], points };

interface SetupData extends RunData {
  phones: string[];
}

/** Enrols the members and waits until the ledger has processed every seed sale. */
function seedMembers(runId: string): string[] {
  const salt = Math.floor(Math.random() * 100000);
  const phones = Array.from({ length: nonNegativeSetting("CUSTOMERS", 200) }, (_, i) => checkoutPhone(salt, i));
  const ids = phones.map((_, i) => `k6c-seed-${runId}-${i}`);
  for (let i = 0; i < phones.length; i += 50) {
    const answers = http.batch(
      phones.slice(i, i + 50).map((phone, j) => ({
        method: "POST",
        url: `${gatewayUrl}/v1/transactions`,
        body: JSON.stringify(seedSale(ids[i + j]!, phone, nonNegativeSetting("SEED_POINTS", 20000), Date.now())),
        params: { headers: posHeaders, tags: { name: "seed sale" } },
      })),
    );
    for (const res of answers) if (res.status !== 202) fail(`a seed sale was answered ${res.status}: ${res.body}`);
  }
  let waiting = ids.slice();
  const deadline = Date.now() + nonNegativeSetting("SEED_TIMEOUT_S", 120) * 1000;
  while (waiting.length > 0) {
    if (Date.now() > deadline) fail(`${waiting.length} seed sales not processed in time`);
    sleep(1);
    const answers = http.batch(
      waiting.slice(0, 100).map((id) => ({
        method: "GET",
        url: `${gatewayUrl}/v1/transactions/${encodeURIComponent(id)}`,
        params: {
          headers: posHeaders,
          tags: { name: "seed status" },
          responseCallback: http.expectedStatuses(200, 404),
        },
      })),
    );
    const done = new Set<string>();
    answers.forEach((res, i) => {
      const status = (jsonValue(res.body) as { status?: string } | null)?.status;
      if (status === "rejected") fail(`seed sale ${waiting[i]} was rejected: ${res.body}`);
      if (status === "processed") done.add(waiting[i]!);
    });
    waiting = waiting.filter((id) => !done.has(id));
  }
  return phones;
}

export function setup(): SetupData {
  const { runId } = setUpTillRun();
  const phones = seedMembers(runId);
  const res = http.post(
    `${gatewayUrl}/v1/checkout/quote`,
    JSON.stringify(quoteBody(phones[0]!, nextBasket(), selection)),
    {
      headers: posHeaders,
    },
  );
  const quote = jsonValue(res.body) as {
    coupons?: { refusal: { code: string } | null }[];
    points?: { refusal: { code: string } | null };
  } | null;
  if (res.status !== 200 || !quote) fail(`the first quote was answered ${res.status}: ${res.body}`);
  // A hold must reserve something: with POINTS=0 every hold would be refused ("nothing to hold").
  if (points === 0 && !couponCode) fail("POINTS=0 needs a COUPON_CODE: a hold must reserve points or a coupon");
  if (points > 0 && quote?.points?.refusal)
    fail(`${points} points cannot be spent (${quote.points.refusal.code}): give the tenant a redemption rate`);
  if (couponCode && quote?.coupons?.[0]?.refusal)
    fail(`coupon ${couponCode} does not apply (${quote.coupons[0].refusal.code})`);
  return { runId, phones };
}

export default function checkout(data: SetupData): void {
  const iteration = exec.scenario.iterationInTest;
  const phone = data.phones[iteration % data.phones.length]!;
  const basket = nextBasket();
  const started = Date.now();
  const quoted = http.post(`${gatewayUrl}/v1/checkout/quote`, JSON.stringify(quoteBody(phone, basket, selection)), {
    headers: posHeaders,
    tags: { name: "POST /v1/checkout/quote" },
  });
  if (!check(quoted, { "quote is 200": (r) => r.status === 200 })) return;

  const held = http.post(`${gatewayUrl}/v1/checkout/holds`, JSON.stringify(holdBody(phone, basket, selection)), {
    headers: posHeaders,
    tags: { name: "POST /v1/checkout/holds" },
    responseCallback: http.expectedStatuses(201, 409),
  });
  holdRefused.add(held.status === 409);
  const hold = held.status === 201 ? (jsonValue(held.body) as { holdId?: string; quote?: QuotedLines } | null) : null;
  if (!check(held, { "hold is 201 or 409": (r) => r.status === 201 || r.status === 409 }) || held.status === 409)
    return;
  if (!check(hold, { "hold has an id and a quote": (h) => !!h?.holdId && !!h.quote })) return;

  if (Math.random() < abandonShare) {
    const voided = http.del(`${gatewayUrl}/v1/checkout/holds/${hold!.holdId}`, null, {
      headers: posHeaders,
      tags: { name: "DELETE /v1/checkout/holds/:holdId" },
    });
    check(voided, {
      "void is 200 released": (r) =>
        r.status === 200 && (jsonValue(r.body) as { status?: string } | null)?.status === "released",
    });
    abandoned.add(1);
    return;
  }
  const sale = saleOfHold({
    externalId: `k6c-${data.runId}-${iteration}`,
    phone,
    basket,
    quote: hold!.quote!,
    couponCodes: selection.couponCodes,
    holdId: hold!.holdId!,
    nowMs: Date.now(),
  });
  const posted = http.post(`${gatewayUrl}/v1/transactions`, JSON.stringify(sale), {
    headers: posHeaders,
    tags: { name: "POST /v1/transactions" },
  });
  if (check(posted, { "sale is 202": (r) => r.status === 202 })) {
    committed.add(1);
    checkoutLatency.add(Date.now() - started);
  }
}
