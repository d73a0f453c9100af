/**
 * Kiosk visits at a constant arrival rate: the member's app asks its backend for a QR token
 * (`POST /v1/identity-tokens`, app key), the kiosk scans it (tRPC `customers.identify`), prices a basket
 * (tRPC `checkout.quote`) and reads the member's balance again (tRPC `customers.get`), as apps/kiosk calls them:
 * `httpBatchLink` batches of one, plain JSON, the kiosk's API key.
 *
 *   GATEWAY_URL=https://gateway.staging.example API_URL=https://api.staging.example APP_KEY=rk_app_... \
 *     KIOSK_KEY=rk_... k6 run loadtests/k6/kiosk.ts
 *
 * setup() signs up CUSTOMERS new members (`POST /v1/customers`, app key); visits take them in turn.
 * Optional: RATE (visits/s, default 20), DURATION (default 5m), MAX_VUS (default 300), CUSTOMERS (default 200).
 * Run the gateway and the API with RATE_LIMIT_APP=off and RATE_LIMIT_KIOSK=off (or raised): every VU uses the
 * same two keys.
 */
import { check, fail } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { newRunId } from "../src/baskets.ts";
import { createCheckoutBasketFactory, kioskQuoteBody } from "../src/checkout-baskets.ts";
import {
  isQuote,
  isTillViewOf,
  jsonObject,
  trpcData,
  trpcMutationBody,
  trpcMutationUrl,
  trpcQueryUrl,
} from "../src/k6-answers.ts";
import { demoMenu } from "../src/menu.ts";
import {
  appHeaders,
  appKey,
  constantArrival,
  gatewayUrl,
  keyHeaders,
  positiveSetting,
  signUpMembers,
  urlSetting,
} from "./shared.ts";

const apiUrl = urlSetting("API_URL");
const kioskKey = __ENV.KIOSK_KEY ?? "";

export const options: Options = {
  setupTimeout: "5m",
  scenarios: {
    kiosk: constantArrival({
      rate: positiveSetting("RATE", 20),
      duration: "5m",
      maxVUs: positiveSetting("MAX_VUS", 300),
      preAllocatedCap: 100,
    }),
  },
  thresholds: {
    "http_req_duration{name:POST /v1/identity-tokens}": ["p(99)<100"],
    "http_req_duration{name:customers.identify}": ["p(99)<100"],
    "http_req_duration{name:checkout.quote}": ["p(99)<50"],
    "http_req_duration{name:customers.get}": ["p(99)<50"],
    http_req_failed: ["rate<0.01"],
    // Each token is fresh and for a member who exists: one that does not identify is a fault.
    kiosk_not_identified: ["count==0"],
    checks: ["rate>0.99"],
    dropped_iterations: ["count<100"],
  },
};

/** From the token asked for to the quote on screen: what a member waits at the kiosk. */
const visitLatency = new Trend("kiosk_visit_latency", true);
const notIdentified = new Counter("kiosk_not_identified");

const kioskHeaders = keyHeaders(kioskKey);
const nextBasket = createCheckoutBasketFactory({ menu: demoMenu, minSubtotal: 0 });

interface SetupData {
  customerIds: string[];
}

export function setup(): SetupData {
  if (!gatewayUrl || !apiUrl || !appKey || !kioskKey)
    fail("set GATEWAY_URL, API_URL (where /trpc answers), APP_KEY and KIOSK_KEY (keys of the same tenant)");
  const customerIds = signUpMembers(`k6k-${newRunId()}`, positiveSetting("CUSTOMERS", 200), (_, answer) => {
    const id = (jsonObject(answer)?.customer as { id?: unknown } | undefined)?.id;
    return typeof id === "string" ? id : undefined;
  });
  return { customerIds };
}

export default function kiosk(data: SetupData): void {
  const customerId = data.customerIds[exec.scenario.iterationInTest % data.customerIds.length]!;
  const started = Date.now();
  const issued = http.post(`${gatewayUrl}/v1/identity-tokens`, JSON.stringify({ customer: { id: customerId } }), {
    headers: appHeaders,
    tags: { name: "POST /v1/identity-tokens" },
  });
  const token = issued.status === 201 ? jsonObject(issued.body)?.token : undefined;
  if (!check(issued, { "token issued (201)": () => typeof token === "string" })) return;

  const identified = http.post(trpcMutationUrl(apiUrl, "customers.identify"), trpcMutationBody({ token }), {
    headers: kioskHeaders,
    tags: { name: "customers.identify" },
  });
  const identifiedOk = isTillViewOf(trpcData(identified.status, identified.body), customerId);
  check(identified, { "the token identifies its member": () => identifiedOk });
  if (!identifiedOk) {
    notIdentified.add(1);
    return;
  }

  const quoted = http.get(trpcQueryUrl(apiUrl, "checkout.quote", kioskQuoteBody(customerId, nextBasket())), {
    headers: kioskHeaders,
    tags: { name: "checkout.quote" },
  });
  check(quoted, { "the basket is priced": (r) => isQuote(trpcData(r.status, r.body)) });
  visitLatency.add(Date.now() - started);

  const read = http.get(trpcQueryUrl(apiUrl, "customers.get", { id: customerId }), {
    headers: kioskHeaders,
    tags: { name: "customers.get" },
  });
  check(read, { "the balance reads back": (r) => isTillViewOf(trpcData(r.status, r.body), customerId) });
}
