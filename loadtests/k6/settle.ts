/**
 * What a till sees end to end: post a basket, then poll `GET /v1/transactions/{externalId}` until it is
 * `processed` (or `rejected`), as an integrator that needs the points on the receipt would. Measures the
 * time from the POST to the processed status under a steady load of such tills, and fails the run if any
 * transaction is rejected or does not settle; a sale the gateway does not accept (429, 5xx) does not settle either.
 * Run it beside `ingest.ts` to see settling under peak load.
 *
 *   GATEWAY_URL=https://gateway.staging.example POS_KEY=... k6 run loadtests/k6/settle.ts
 *
 * Optional: TILLS (concurrent polling tills, default 10), DURATION (default 3m), POLL_MS (default 250),
 * SETTLE_TIMEOUT_S (give up on one transaction after this, default 30).
 *
 * The gateway limits each API key (RATE_LIMIT_POS, 50 requests/s with a burst of 100 by default), and every
 * till here shares POS_KEY, a POS key: run the gateway under test with RATE_LIMIT_POS=off (or raised), as for
 * ingest.ts.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { createBasketFactory } from "../src/baskets.ts";
import { afterSalePost, statusOf } from "../src/k6-answers.ts";
import { demoMenu } from "../src/menu.ts";
import { gatewayUrl, pollUntilDecided, posHeaders, positiveSetting, type RunData, setUpTillRun } from "./shared.ts";

const pollSeconds = positiveSetting("POLL_MS", 250) / 1000;
const settleTimeoutMs = positiveSetting("SETTLE_TIMEOUT_S", 30) * 1000;

export const options: Options = {
  scenarios: {
    settle: { executor: "constant-vus", vus: positiveSetting("TILLS", 10), duration: __ENV.DURATION || "3m" },
  },
  thresholds: {
    tx_settle_latency: ["p(95)<2000", "p(99)<5000"],
    tx_rejected: ["count==0"],
    tx_unsettled: ["count==0"],
    // Polls add passing checks: without this, a few percent of sales refused would hide under checks > 99 %.
    "http_req_failed{name:POST /v1/transactions}": ["rate<0.01"],
    "http_req_duration{name:GET /v1/transactions/:externalId}": ["p(99)<100"],
    checks: ["rate>0.99"],
  },
};

/** From the POST to the first status that says `processed`, as the till experiences it. */
const settleLatency = new Trend("tx_settle_latency", true);
const rejected = new Counter("tx_rejected");
const unsettled = new Counter("tx_unsettled");

const nextBasket = createBasketFactory({ menu: demoMenu });

export function setup(): RunData {
  return setUpTillRun();
}

export default function settle(data: RunData): void {
  const basket = nextBasket(`k6s-${data.runId}-${exec.scenario.iterationInTest}`);
  const started = Date.now();
  const posted = http.post(`${gatewayUrl}/v1/transactions`, JSON.stringify(basket), {
    headers: posHeaders,
    tags: { name: "POST /v1/transactions" },
  });
  check(posted, { "status is 202": (r) => r.status === 202 });
  if (afterSalePost(posted.status) === "unsettled") {
    unsettled.add(1);
    return;
  }
  // 404 only while the receipt is being written, right after the 202.
  const outcome = pollUntilDecided(
    `${gatewayUrl}/v1/transactions/${encodeURIComponent(basket.externalId)}`,
    { headers: posHeaders, tags: { name: "GET /v1/transactions/:externalId" } },
    { started, pollSeconds, timeoutMs: settleTimeoutMs },
    (res) => {
      const status = statusOf(res.status, res.body);
      return status === "processed" || status === "rejected" ? status : null;
    },
  );
  if (outcome === "processed") settleLatency.add(Date.now() - started);
  else if (outcome === "rejected") rejected.add(1);
  else unsettled.add(1);
}
