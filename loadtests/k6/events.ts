/**
 * Behavioural events from the brand app's backend (app opens, push opens, profiles completed) at a constant
 * arrival rate: each is posted to `POST /v1/events`, then `GET /v1/events/{eventId}` is polled until it has an
 * outcome, as a backend that shows the points an action paid would. Measures the time from the POST to the
 * outcome, and fails the run if an event is refused, rejected or never decided.
 *
 *   GATEWAY_URL=https://gateway.staging.example APP_KEY=rk_app_... k6 run loadtests/k6/events.ts
 *
 * setup() signs up CUSTOMERS new members (`POST /v1/customers`); the events name them by their sign-in identity.
 * Optional: RATE (events/s, default 50), DURATION (default 5m), MAX_VUS (default 500), CUSTOMERS (default 200),
 * POLL_MS (default 250), OUTCOME_TIMEOUT_S (give up on one event after this, default 30). Run the gateway with
 * RATE_LIMIT_APP=off (or raised): every VU uses APP_KEY.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { appEventOf } from "../src/app-bodies.ts";
import { acceptedEventId, eventOutcome, firstPostAnswer } from "../src/k6-answers.ts";
import {
  appHeaders,
  constantArrival,
  gatewayUrl,
  pollUntilDecided,
  positiveSetting,
  type RunData,
  setUpAppRun,
  signUpMembers,
} from "./shared.ts";

const pollSeconds = positiveSetting("POLL_MS", 250) / 1000;
const outcomeTimeoutMs = positiveSetting("OUTCOME_TIMEOUT_S", 30) * 1000;

export const options: Options = {
  setupTimeout: "5m",
  scenarios: {
    events: constantArrival({
      rate: positiveSetting("RATE", 50),
      duration: "5m",
      maxVUs: positiveSetting("MAX_VUS", 500),
      // Each iteration polls for about a second: enough VUs for the rate times that.
      preAllocatedCap: 200,
    }),
  },
  thresholds: {
    "http_req_duration{name:POST /v1/events}": ["p(99)<150"],
    "http_req_duration{name:GET /v1/events/:eventId}": ["p(99)<100"],
    // Polls add passing checks: a few percent of events refused must fail the run on their own.
    "http_req_failed{name:POST /v1/events}": ["rate<0.01"],
    event_outcome_latency: ["p(95)<2000", "p(99)<5000"],
    // Every eventId is new and every member exists: a duplicate or a rejection is a fault.
    event_duplicate: ["count==0"],
    event_rejected: ["count==0"],
    event_undecided: ["count==0"],
    checks: ["rate>0.99"],
    dropped_iterations: ["count<100"],
  },
};

/** From the POST to the outcome `processed`, as the app's backend experiences it. */
const outcomeLatency = new Trend("event_outcome_latency", true);
const duplicates = new Counter("event_duplicate");
const rejected = new Counter("event_rejected");
/** Refused by the gateway (429, 5xx, no answer) or with no outcome within OUTCOME_TIMEOUT_S. */
const undecided = new Counter("event_undecided");

interface SetupData extends RunData {
  members: { provider: string; subject: string }[];
}

export function setup(): SetupData {
  const { runId } = setUpAppRun();
  const members = signUpMembers(`k6e-${runId}`, positiveSetting("CUSTOMERS", 200), (s) => s.register.externalIdentity);
  return { runId, members };
}

export default function events(data: SetupData): void {
  const n = exec.scenario.iterationInTest;
  const event = appEventOf(data.runId, n, data.members[n % data.members.length]!, Date.now());
  const started = Date.now();
  const posted = http.post(`${gatewayUrl}/v1/events`, JSON.stringify(event), {
    headers: appHeaders,
    tags: { name: "POST /v1/events" },
  });
  const id = acceptedEventId(posted.status, posted.body, event.eventId);
  check(posted, {
    "status is 202": (r) => r.status === 202,
    "accepted with its eventId and our id, not a duplicate": () => id !== null,
  });
  if (firstPostAnswer(posted.status, posted.body, "eventId", event.eventId) === "duplicate") duplicates.add(1);
  if (id === null) {
    undecided.add(1);
    return;
  }
  const outcome = pollUntilDecided(
    `${gatewayUrl}/v1/events/${encodeURIComponent(event.eventId)}`,
    // 404 until the outcome is decided, within a second or so of the 202: an answer, not a failed request.
    {
      headers: appHeaders,
      tags: { name: "GET /v1/events/:eventId" },
      responseCallback: http.expectedStatuses(200, 404),
    },
    { started, pollSeconds, timeoutMs: outcomeTimeoutMs },
    (res) => eventOutcome(res.status, res.body, id),
  );
  if (outcome === "processed") outcomeLatency.add(Date.now() - started);
  else if (outcome === "rejected") rejected.add(1);
  else undecided.add(1);
}
