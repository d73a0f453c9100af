/**
 * What the scenarios share: their settings and keys from the environment, the checks setup() makes before any load,
 * members signed up for a run, the polling of a status until it is decided, and the arrival-rate executors. A k6
 * module like the scenarios: only k6's modules and relative imports, ES2020 (k6/tsconfig.json checks it).
 */
import { check, fail, sleep } from "k6";
import http, { type Params, type RefinedResponse, type ResponseType } from "k6/http";
import type { ConstantArrivalRateScenario, RampingArrivalRateScenario } from "k6/options";
import { type SignUp, signUpOf } from "../src/app-bodies.ts";
import { newRunId } from "../src/baskets.ts";

/** A base URL from the environment, without the trailing slashes that would double the paths' own. */
export const urlSetting = (name: string): string => (__ENV[name] ?? "").replace(/\/+$/, "");

const numberSetting = (name: string, fallback: number, accepts: (n: number) => boolean): number => {
  const n = Number(__ENV[name]);
  return __ENV[name] && accepts(n) ? n : fallback;
};
/** A rate, count or time from the environment; unset, unreadable, zero or negative gives `fallback`. */
export const positiveSetting = (name: string, fallback: number): number => numberSetting(name, fallback, (n) => n > 0);
/** As `positiveSetting`, for settings where 0 means something (no points spent, no order abandoned). */
export const nonNegativeSetting = (name: string, fallback: number): number =>
  numberSetting(name, fallback, (n) => n >= 0);

/** The headers of a call made with an API key: the key as a bearer token, and a JSON body. */
export const keyHeaders = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

export const gatewayUrl = urlSetting("GATEWAY_URL");
export const posKey = __ENV.POS_KEY ?? "";
export const appKey = __ENV.APP_KEY ?? "";
/** POS_KEY's: a till's POS key, which posts sales (of channel pos: a kiosk key may not) and checkouts. */
export const posHeaders = keyHeaders(posKey);
/** APP_KEY's: the brand app's backend, which signs members up, reports events and asks for QR tokens. */
export const appHeaders = keyHeaders(appKey);

/** What setup() hands every iteration: the run's id, which keeps its externalIds and sign-in identities new. */
export interface RunData {
  runId: string;
}

/** setup() of a scenario that posts with POS_KEY: stops the run before any load without the settings it needs. */
export function setUpTillRun(): RunData {
  if (!gatewayUrl || !posKey)
    fail("set GATEWAY_URL (e.g. http://127.0.0.1:4000) and POS_KEY (a POS API key of the tenant)");
  return { runId: newRunId() };
}

/** setup() of a scenario that calls as the brand app's backend, with APP_KEY. */
export function setUpAppRun(): RunData {
  if (!gatewayUrl || !appKey) fail("set GATEWAY_URL and APP_KEY (an app key of the target tenant)");
  return { runId: newRunId() };
}

/**
 * Signs up `count` new members with APP_KEY, fifty to a request batch, and stops the run on an answer other than 201
 * or one `memberOf` cannot read: the load that follows needs every one of them.
 */
export function signUpMembers<T>(
  idPrefix: string,
  count: number,
  memberOf: (signUp: SignUp, answer: unknown) => T | undefined,
): T[] {
  const signUps = Array.from({ length: count }, (_, i) => signUpOf(idPrefix, i));
  const members: T[] = [];
  for (let i = 0; i < signUps.length; i += 50) {
    const batch = signUps.slice(i, i + 50);
    const answers = http.batch(
      batch.map((s) => ({
        method: "POST",
        url: `${gatewayUrl}/v1/customers`,
        body: JSON.stringify(s.register),
        params: { headers: appHeaders, tags: { name: "seed sign-up" } },
      })),
    );
    answers.forEach((res, j) => {
      const member = res.status === 201 ? memberOf(batch[j]!, res.body) : undefined;
      if (member === undefined) fail(`a member's sign-up was answered ${res.status}: ${res.body}`);
      members.push(member);
    });
  }
  return members;
}

export type Decided = "processed" | "rejected";

/**
 * Reads `url` every `pollSeconds` until `outcomeOf` finds the work decided; null when it is not `timeoutMs` after
 * `started`. Each read must answer 200, or 404 while the status is not written yet.
 */
export function pollUntilDecided(
  url: string,
  params: Params,
  timing: { started: number; pollSeconds: number; timeoutMs: number },
  outcomeOf: (res: RefinedResponse<ResponseType | undefined>) => Decided | null,
): Decided | null {
  while (Date.now() - timing.started < timing.timeoutMs) {
    sleep(timing.pollSeconds);
    const res = http.get(url, params);
    check(res, { "status lookup answers 200 or 404": (r) => r.status === 200 || r.status === 404 });
    const outcome = outcomeOf(res);
    if (outcome !== null) return outcome;
  }
  return null;
}

/**
 * An open model: `rate` arrivals a second for DURATION (else `duration`), whether or not the system keeps up. VUs are
 * allocated up front for two seconds of arrivals, at most `preAllocatedCap`; k6 adds more up to `maxVUs`.
 */
export const constantArrival = (o: {
  rate: number;
  duration: string;
  maxVUs: number;
  preAllocatedCap: number;
}): ConstantArrivalRateScenario => ({
  executor: "constant-arrival-rate",
  rate: o.rate,
  timeUnit: "1s",
  duration: __ENV.DURATION || o.duration,
  preAllocatedVUs: Math.min(o.preAllocatedCap, Math.ceil(o.rate * 2)),
  maxVUs: o.maxVUs,
});

/** An open model ramping from `startRate` to `peakRate` a second over RAMP, held for HOLD, then 30 s down to 0. */
export const rampingArrival = (o: {
  startRate: number;
  peakRate: number;
  ramp: string;
  hold: string;
  maxVUs: number;
  preAllocatedCap: number;
}): RampingArrivalRateScenario => ({
  executor: "ramping-arrival-rate",
  startRate: o.startRate,
  timeUnit: "1s",
  preAllocatedVUs: Math.min(o.preAllocatedCap, o.peakRate),
  maxVUs: o.maxVUs,
  stages: [
    { target: o.peakRate, duration: __ENV.RAMP || o.ramp },
    { target: o.peakRate, duration: __ENV.HOLD || o.hold },
    { target: 0, duration: "30s" },
  ],
});
