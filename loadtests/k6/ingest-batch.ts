/**
 * Tills coming back online: each uploads the sales it recorded offline to `POST /v1/transactions/batch`,
 * BATCH_SIZE at a time, at a ramping arrival rate of uploads. Checks every transaction's result, not only
 * the HTTP status, and that an upload sent again (as a till does after a lost answer) is all duplicates.
 *
 *   GATEWAY_URL=https://gateway.staging.example POS_KEY=... k6 run loadtests/k6/ingest-batch.ts
 *
 * Optional: BATCH_SIZE (transactions per upload, 1-500, default 100), START_RATE (uploads/s, default 2),
 * PEAK_RATE (default 50), RAMP (default 1m), HOLD (default 3m), MAX_VUS (default 200), RESEND_SHARE (share
 * of uploads sent a second time, default 0.05). Bodies come from ../src/baskets.ts, as `pnpm bench:ingest`.
 *
 * POS_KEY is a POS key (the sales are of channel pos). The per-key rate limit (RATE_LIMIT_POS) counts one request
 * per upload, whatever its size.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { type Basket, createBasketFactory } from "../src/baskets.ts";
import { jsonValue } from "../src/k6-answers.ts";
import { demoMenu } from "../src/menu.ts";
import { gatewayUrl, posHeaders, positiveSetting, type RunData, rampingArrival, setUpTillRun } from "./shared.ts";

const batchSize = Math.min(500, Math.floor(positiveSetting("BATCH_SIZE", 100)));
const resendShare = __ENV.RESEND_SHARE === undefined ? 0.05 : Number(__ENV.RESEND_SHARE);

export const options: Options = {
  scenarios: {
    uploads: rampingArrival({
      startRate: positiveSetting("START_RATE", 2),
      peakRate: positiveSetting("PEAK_RATE", 50),
      ramp: "1m",
      hold: "3m",
      maxVUs: positiveSetting("MAX_VUS", 200),
      preAllocatedCap: 50,
    }),
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:POST /v1/transactions/batch}": ["p(99)<2000"],
    checks: ["rate>0.99"],
    // Every transaction of a fresh upload is accepted; every one of an upload sent again is a duplicate.
    tx_batch_invalid: ["count==0"],
    tx_batch_not_duplicate_on_resend: ["count==0"],
    dropped_iterations: ["count<20"],
  },
};

/** Upload latency per transaction it carried, for comparison with single posts. */
const latencyPerTransaction = new Trend("tx_batch_latency_per_tx", true);
const accepted = new Counter("tx_batch_accepted");
const invalid = new Counter("tx_batch_invalid");
const notDuplicateOnResend = new Counter("tx_batch_not_duplicate_on_resend");

// Each VU has its own copy of this module; externalIds stay unique through the run id and iterationInTest.
const nextBasket = createBasketFactory({ menu: demoMenu });

export function setup(): RunData {
  return setUpTillRun();
}

type BatchAnswer = { accepted?: unknown; duplicates?: unknown; invalid?: unknown; results?: unknown };

function answerOf(raw: unknown): BatchAnswer | null {
  const parsed = jsonValue(raw);
  return typeof parsed === "object" && parsed !== null ? (parsed as BatchAnswer) : null;
}

function upload(transactions: Basket[]): BatchAnswer | null {
  const res = http.post(`${gatewayUrl}/v1/transactions/batch`, JSON.stringify({ transactions }), {
    headers: posHeaders,
    tags: { name: "POST /v1/transactions/batch" },
  });
  const answer = res.status === 202 ? answerOf(res.body) : null;
  check(res, {
    "status is 202": (r) => r.status === 202,
    "a result per transaction": () => Array.isArray(answer?.results) && answer.results.length === transactions.length,
  });
  if (answer) latencyPerTransaction.add(res.timings.duration / transactions.length);
  return answer;
}

export default function uploadOfflineSales(data: RunData): void {
  const iteration = exec.scenario.iterationInTest;
  const transactions: Basket[] = [];
  for (let i = 0; i < batchSize; i++) transactions.push(nextBasket(`k6b-${data.runId}-${iteration}-${i}`));
  const answer = upload(transactions);
  if (!answer) return;
  accepted.add(typeof answer.accepted === "number" ? answer.accepted : 0);
  invalid.add(typeof answer.invalid === "number" ? answer.invalid : 0);
  if (Math.random() >= resendShare) return;
  // The till did not see the answer and sends the same upload again: nothing new may be stored.
  const again = upload(transactions);
  if (again && again.duplicates !== transactions.length) notDuplicateOnResend.add(1);
}
