import { mayRetry, type useTRPCClient } from "@regulars/web-ui";
import type { Quote } from "./basket.ts";
import { beforeDeadline } from "./pay.ts";
import { API_CALL_TIMEOUT_MS } from "./sending.ts";

type Client = ReturnType<typeof useTRPCClient>;
type QuoteInput = Parameters<Client["checkout"]["quote"]["query"]>[0];

/** The quote did not answer in time; the customer is told so and may ask again. */
export class QuoteTimedOut extends Error {
  constructor() {
    super("quote_timed_out");
  }
}

/**
 * Prices the basket, giving up after `timeoutMs` as holds and sale posts do: a dropped Wi-Fi or a proxy holding the
 * connection would otherwise leave the customer on "Pricing your order…" until the browser gives up, minutes later.
 * A quote changes nothing, so the request is simply aborted and a late answer ignored. `signal` is the query's own
 * (the customer changed the basket or left).
 */
export function fetchQuote(
  client: Client,
  input: QuoteInput,
  signal?: AbortSignal,
  timeoutMs = API_CALL_TIMEOUT_MS,
): Promise<Quote> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal?.addEventListener("abort", abort, { once: true });
  const answer = client.checkout.quote.query(input, { signal: request.signal });
  return beforeDeadline(
    answer,
    timeoutMs,
    () => {
      abort();
      return new QuoteTimedOut();
    },
    () => {},
  ).finally(() => signal?.removeEventListener("abort", abort));
}

/**
 * A timed-out quote is not asked again by itself: the customer has waited long enough and is offered "Try again".
 * Anything else is retried as every query is (twice, and never a refusal, which asking again would not change, but
 * for a rate limit's).
 */
export function retryQuote(failures: number, err: unknown): boolean {
  if (err instanceof QuoteTimedOut) return false;
  return failures < 2 && mayRetry(err);
}
