/**
 * The minutes after a broadcast: customers open the e-mail (its open pixel) and follow its links, all at once.
 * Each request must be answered at once (a redirect, an image) whatever the recording behind it costs. Replays
 * tracked URLs taken from real messages at a fixed arrival rate and checks that a click is a `302` to somewhere
 * and an open a `200` GIF.
 *
 *   LINKS_FILE=links.txt k6 run loadtests/k6/tracking.ts
 *
 * `links.txt` holds one tracked URL per line (`…/v1/m/c/<token>` for clicks, `…/v1/m/o/<token>` for opens), taken
 * from a broadcast's messages, e.g. after `pnpm bench:campaigns` or on staging:
 *
 *   psql "$DATABASE_URL" -Atc "SELECT (regexp_matches(content->>'html', '(https?://[^\"]+/v1/m/[co]/[^\"]+)', 'g'))[1]
 *                              FROM messages WHERE channel = 'email' LIMIT 100000" > links.txt
 *
 * Optional: RATE (requests per second, default 200), DURATION (default 2m), MAX_VUS (default 200).
 * A link followed again is recorded once (per message and link), so replaying a file measures the answer path,
 * not only first clicks; run it on a fresh broadcast's links for first clicks.
 */
import { check, fail } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import { positiveSetting } from "./shared.ts";

// `open` reads files only in the init context: every virtual user gets the same list.
const links: string[] = __ENV.LINKS_FILE
  ? open(__ENV.LINKS_FILE)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^https?:\/\/.+\/v1\/m\/[co]\//.test(l))
  : [];

export const options: Options = {
  scenarios: {
    tracking: {
      executor: "constant-arrival-rate",
      rate: positiveSetting("RATE", 200),
      timeUnit: "1s",
      duration: __ENV.DURATION || "2m",
      preAllocatedVUs: Math.min(50, positiveSetting("MAX_VUS", 200)),
      maxVUs: positiveSetting("MAX_VUS", 200),
    },
  },
  thresholds: {
    "http_req_duration{kind:click}": ["p(99)<100"],
    "http_req_duration{kind:open}": ["p(99)<100"],
    tracking_wrong_answers: ["count==0"],
    checks: ["rate>0.999"],
  },
};

const wrongAnswers = new Counter("tracking_wrong_answers");

export function setup(): void {
  if (links.length === 0)
    fail("set LINKS_FILE to a file of tracked URLs (…/v1/m/c/<token> or …/v1/m/o/<token>), one per line");
}

export default function (): void {
  const url = links[Math.floor(Math.random() * links.length)]!;
  const isClick = url.includes("/v1/m/c/");
  // Redirects are not followed: the destination is the brand's site, not the system under test.
  const res = http.get(url, { redirects: 0, tags: { kind: isClick ? "click" : "open", name: "tracked link" } });
  const ok = isClick
    ? check(res, {
        "a click is redirected": (r) => r.status === 302,
        "to an absolute address": (r) => /^https?:\/\//.test(String(r.headers.Location ?? "")),
      })
    : check(res, {
        "an open answers 200": (r) => r.status === 200,
        "with a GIF": (r) => String(r.headers["Content-Type"] ?? "").startsWith("image/gif"),
      });
  if (!ok) wrongAnswers.add(1);
}
