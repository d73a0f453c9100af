/**
 * Sign-up peaks for SREs: the brand's app backend registering new customers (a TV spot, a launch), each with
 * a sign-in identity and consents, then the device's push token, then reading the profile back. Sign-ups
 * arrive at a constant rate.
 *
 *   GATEWAY_URL=https://gateway.staging.example APP_KEY=rk_app_... k6 run loadtests/k6/app-signups.ts
 *
 * Optional: RATE (sign-ups/s, default 20), DURATION (default 5m), MAX_VUS (default 200). Run the gateway with
 * RATE_LIMIT_APP=off (or raised): every VU uses APP_KEY.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { signUpOf } from "../src/app-bodies.ts";
import { consentsMatch } from "../src/k6-answers.ts";
import { appHeaders, constantArrival, gatewayUrl, nonNegativeSetting, type RunData, setUpAppRun } from "./shared.ts";

export const options: Options = {
  scenarios: {
    signups: constantArrival({
      rate: nonNegativeSetting("RATE", 20),
      duration: "5m",
      maxVUs: nonNegativeSetting("MAX_VUS", 200),
      preAllocatedCap: 100,
    }),
  },
  thresholds: {
    "http_req_duration{name:POST /v1/customers}": ["p(99)<150"],
    "http_req_duration{name:POST /v1/customers/:id/push-tokens}": ["p(99)<100"],
    "http_req_duration{name:GET /v1/customers/:id}": ["p(99)<50"],
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    dropped_iterations: ["count<100"],
  },
};

/** From the sign-up sent to the device registered: what onboarding costs the app's backend. */
const signupLatency = new Trend("signup_latency", true);
const created = new Counter("signups_created");

export function setup(): RunData {
  return setUpAppRun();
}

export default function (data: RunData): void {
  const signUp = signUpOf(data.runId, exec.scenario.iterationInTest);
  const started = Date.now();
  const registered = http.post(`${gatewayUrl}/v1/customers`, JSON.stringify(signUp.register), {
    headers: appHeaders,
    tags: { name: "POST /v1/customers" },
  });
  const ok = check(registered, { "sign-up created (201)": (r) => r.status === 201 });
  if (!ok) return;
  created.add(1);
  const customerId = (registered.json("customer.id") as string | null) ?? "";
  const device = http.post(`${gatewayUrl}/v1/customers/${customerId}/push-tokens`, JSON.stringify(signUp.pushToken), {
    headers: appHeaders,
    tags: { name: "POST /v1/customers/:id/push-tokens" },
  });
  check(device, { "push token stored (2xx)": (r) => r.status >= 200 && r.status < 300 });
  signupLatency.add(Date.now() - started);
  const profile = http.get(`${gatewayUrl}/v1/customers/${customerId}`, {
    headers: appHeaders,
    tags: { name: "GET /v1/customers/:id" },
  });
  check(profile, {
    "profile has the consents given": (r) =>
      r.status === 200 && consentsMatch(signUp.register.consents, r.json("consents")),
  });
}
