import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiClient } from "@regulars/web-ui";
import { describe, expect, it } from "vitest";
import { checkoutMessages } from "../src/messages/checkout.ts";
import { fetchQuote, QuoteTimedOut, retryQuote } from "../src/order/quote.ts";

const request = {
  customer: null,
  basket: {
    locationId: "store-001",
    channel: "kiosk" as const,
    currency: "EUR",
    lines: [{ sku: "COFFEE", name: "Coffee", quantity: 1, unitPrice: 350 }],
  },
  couponCodes: [],
  rewardIds: [],
  points: 0,
};

describe("a checkout quote the API never answers", () => {
  it("gives up with QuoteTimedOut, and is not retried by itself", async () => {
    // Takes the request and never answers, as a proxy holding a dead upstream does.
    const held: IncomingMessage[] = [];
    const api = createServer((req) => {
      held.push(req);
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/trpc`;
    try {
      const client = createApiClient({ kind: "key", apiKey: "rk_kiosk_test" }, url);
      const quoted = fetchQuote(client, request as never, undefined, 200);
      await expect(quoted).rejects.toBeInstanceOf(QuoteTimedOut);
      for (const req of held) expect(req.url).toContain("checkout.quote");
      expect(retryQuote(0, new QuoteTimedOut())).toBe(false);
      expect(retryQuote(0, new TypeError("fetch failed"))).toBe(true);
      expect(retryQuote(0, { data: { httpStatus: 400 } })).toBe(false);
      // A guard's refusal before tRPC ran carries its status on the response, not in `data`; a rate limit passes.
      expect(retryQuote(0, { meta: { response: { status: 413 } } })).toBe(false);
      expect(retryQuote(0, { meta: { response: { status: 429 } } })).toBe(true);
      expect(retryQuote(0, { meta: { response: { status: 502 } } })).toBe(true);
    } finally {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it("tells the customer in their words, in English and Polish, and offers to try again", () => {
    for (const language of ["en", "pl"] as const) {
      const messages = checkoutMessages[language] as Record<string, unknown>;
      expect(messages.quoteTimedOut, language).toEqual(expect.any(String));
      expect(messages.retry, language).toEqual(expect.any(String));
    }
  });
});
