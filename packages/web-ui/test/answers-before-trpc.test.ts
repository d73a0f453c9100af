import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "../src/api.tsx";
import { describeError, failureStatus, isRefusal, isUnauthenticated, mayRetry } from "../src/errors.ts";

/**
 * Answers tRPC's client cannot read: the API's guards answer `{code, message, requestId}` before tRPC runs (rate
 * limit, CSRF, body too large, database unreachable), and a proxy in front of it answers its own HTML page.
 */
const answers: Record<string, (res: ServerResponse) => void> = {
  "rate-limited": (res) => {
    res.writeHead(429, { "content-type": "application/json", "retry-after": "4" });
    res.end(JSON.stringify({ code: "rate_limited", message: "too many requests; retry in 4 s", requestId: "req_9" }));
  },
  "stale-session": (res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: "unauthenticated", message: "send the session's CSRF token", requestId: "req_8" }));
  },
  "proxy-502": (res) => {
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
  },
  "proxy-413": (res) => {
    res.writeHead(413, { "content-type": "text/html" });
    res.end("<html><body><h1>413 Request Entity Too Large</h1></body></html>");
  },
};

const api = createServer((req, res) => answers[new URL(req.url!, "http://x").pathname.split("/")[1]!]!(res));
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
});

/** The error a query gets when the server at `answer` refuses it. */
const failureFrom = (answer: string) =>
  createApiClient({ kind: "key", apiKey: "rk_test" }, `${url}/${answer}`)
    .tenants.me.query()
    .then(
      () => expect.unreachable(),
      (err: unknown) => err,
    );

describe("a call refused before tRPC ran", () => {
  it("is said from the house body the client kept aside, with its status", async () => {
    const limited = await failureFrom("rate-limited");
    expect(describeError(limited, { language: "en" })).toBe(
      "Too many requests. Wait a moment and try again. (ref. req_9)",
    );
    expect(describeError(limited, { language: "pl" })).toBe(
      "Zbyt wiele żądań. Odczekaj chwilę i spróbuj ponownie. (nr ref. req_9)",
    );
    expect([failureStatus(limited), isRefusal(limited), isUnauthenticated(limited)]).toEqual([429, true, false]);
    // Unlike other refusals, a rate limit may pass by the time the call is asked again.
    expect(mayRetry(limited)).toBe(true);
  });

  it("reads as signed out when the session is no longer the page's", async () => {
    const stale = await failureFrom("stale-session");
    expect([isUnauthenticated(stale), mayRetry(stale)]).toEqual([true, false]);
  });

  it("reads a body as the client keeps it, in meta.responseJSON beside the response", () => {
    const err = TRPCClientError.from(new Error("Unable to transform response from server"), {
      meta: { response: { status: 429 }, responseJSON: { code: "rate_limited", message: "slow down", requestId: "r" } },
    });
    expect(describeError(err, { language: "en" })).toBe("Too many requests. Wait a moment and try again. (ref. r)");
    expect(failureStatus(err)).toBe(429);
  });
});

describe("a proxy's own error page", () => {
  it("says a server in trouble is briefly unavailable, in the page's language, and may be asked again", async () => {
    const down = await failureFrom("proxy-502");
    expect(describeError(down, { language: "en" })).toBe("The service is briefly unavailable. Try again in a moment.");
    expect(describeError(down, { language: "pl" })).toBe(
      "Usługa jest chwilowo niedostępna. Spróbuj ponownie za chwilę.",
    );
    expect([failureStatus(down), isRefusal(down), isUnauthenticated(down), mayRetry(down)]).toEqual([
      502,
      false,
      false,
      true,
    ]);
  });

  it("keeps the status of a refusal, and says it without the JSON parser's words", async () => {
    const tooLarge = await failureFrom("proxy-413");
    expect([failureStatus(tooLarge), isRefusal(tooLarge), mayRetry(tooLarge)]).toEqual([413, true, false]);
    expect(describeError(tooLarge, { language: "en" })).toBe("the server answered 413 with a body that is not JSON");
  });
});
