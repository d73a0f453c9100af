/**
 * Ingestion load for SREs: realistic baskets posted to `POST /v1/transactions` at a ramping arrival rate.
 *
 *   GATEWAY_URL=https://gateway.staging.example POS_KEY=... k6 run loadtests/k6/ingest.ts
 *
 * Optional: START_RATE (tx/s, default 20), PEAK_RATE (default 500), RAMP (default 2m), HOLD (default 5m),
 * MAX_VUS (default 1000). Bodies come from ../src/baskets.ts, the same generator `pnpm bench:ingest` uses.
 *
 * The gateway limits each API key (RATE_LIMIT_POS, 50 requests/s with a burst of 100 by default) and every VU
 * posts with POS_KEY, a POS key (the sales are of channel pos, which a kiosk key may not post): run the gateway
 * under test with RATE_LIMIT_POS=off (or raised above PEAK_RATE).
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { createBasketFactory } from "../src/baskets.ts";
import { firstPostAnswer } from "../src/k6-answers.ts";
import { demoMenu } from "../src/menu.ts";
import { gatewayUrl, posHeaders, positiveSetting, type RunData, rampingArrival, setUpTillRun } from "./shared.ts";

export const options: Options = {
  scenarios: {
    ingest: rampingArrival({
      startRate: positiveSetting("START_RATE", 20),
      peakRate: positiveSetting("PEAK_RATE", 500),
      ramp: "2m",
      hold: "5m",
      maxVUs: positiveSetting("MAX_VUS", 1000),
      preAllocatedCap: 100,
    }),
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    http_req_duration: ["p(99)<250"],
    checks: ["rate>0.99"],
    // Every externalId is new: a single duplicate answer means the gateway mixed up requests.
    tx_duplicate: ["count==0"],
    // Fewer arrivals than planned means k6 ran out of VUs: the gateway is too slow for PEAK_RATE.
    dropped_iterations: ["count<100"],
  },
};

/** Latency of accepted (202) transactions only, so fast 4xx answers cannot flatter it. */
const acceptLatency = new Trend("tx_accept_latency", true);
const accepted = new Counter("tx_accepted");
/** Must stay 0 (a threshold): every externalId is new, so a duplicate means the gateway mixed up requests. */
const duplicates = new Counter("tx_duplicate");
const acceptedCents = new Counter("tx_accepted_cents");

// Each VU has its own copy of this module; externalIds stay unique through the run id and iterationInTest.
const nextBasket = createBasketFactory({ menu: demoMenu });

export function setup(): RunData {
  return setUpTillRun();
}

export default function ingest(data: RunData): void {
  const basket = nextBasket(`k6-${data.runId}-${exec.scenario.iterationInTest}`);
  const res = http.post(`${gatewayUrl}/v1/transactions`, JSON.stringify(basket), {
    headers: posHeaders,
    tags: { name: "POST /v1/transactions" },
  });
  const answer = firstPostAnswer(res.status, res.body, "externalId", basket.externalId);
  check(res, {
    "status is 202": (r) => r.status === 202,
    "body says accepted, not a duplicate": () => answer === "accepted",
  });
  if (answer === "duplicate") duplicates.add(1);
  if (answer !== "accepted") return;
  accepted.add(1);
  acceptedCents.add(basket.total);
  acceptLatency.add(res.timings.duration);
}
