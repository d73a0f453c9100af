import { MutationObserver } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { createQueryClient } from "../src/query-client.ts";

/** A refusal as the tRPC client carries it: the house body in `data.error`, the HTTP status beside it. */
const refusal = (httpStatus: number, code: string) =>
  Object.assign(new Error(code), { data: { httpStatus, error: { code, message: code } } });

function counting() {
  const calls = { count: 0 };
  const client = createQueryClient({ onUnauthenticated: () => calls.count++ });
  const query = (err: Error) =>
    client.fetchQuery({ queryKey: [err.message], queryFn: () => Promise.reject(err), retryDelay: 0 });
  const mutation = (err: Error) =>
    new MutationObserver(client, { mutationFn: () => Promise.reject(err) }).mutate().catch(() => undefined);
  return { calls, query, mutation };
}

describe("createQueryClient", () => {
  it("reports a query or a mutation the server refuses because it no longer knows the caller", async () => {
    const { calls, query, mutation } = counting();
    await expect(query(refusal(401, "unauthorized"))).rejects.toThrow();
    expect(calls.count).toBe(1);
    await mutation(refusal(401, "unauthenticated"));
    expect(calls.count).toBe(2);
  });

  it("leaves every other failure to the card that made the call", async () => {
    const { calls, query, mutation } = counting();
    await expect(query(refusal(403, "forbidden"))).rejects.toThrow();
    await mutation(refusal(400, "invalid_input"));
    await expect(query(new TypeError("Failed to fetch"))).rejects.toThrow();
    expect(calls.count).toBe(0);
  });

  it("reads a refusal the API's guards answered before tRPC ran, which the client keeps in its meta", async () => {
    const guarded = (status: number, code: string) =>
      TRPCClientError.from(new Error("Unable to transform response from server"), {
        meta: { response: { status }, responseJSON: { code, message: code, requestId: "req_1" } },
      });
    const { calls, query } = counting();
    await expect(query(guarded(401, "unauthenticated"))).rejects.toThrow();
    expect(calls.count).toBe(1);

    // Asked again only when asking again may be answered otherwise: after a rate limit, not a body too large.
    const client = createQueryClient();
    const asking = async (err: Error) => {
      let asked = 0;
      const ask = () => {
        asked++;
        return Promise.reject(err);
      };
      await expect(client.fetchQuery({ queryKey: [err.message], queryFn: ask, retryDelay: 0 })).rejects.toBe(err);
      return asked;
    };
    expect(await asking(guarded(413, "payload_too_large"))).toBe(1);
    expect(await asking(guarded(429, "rate_limited"))).toBe(3);
  });

  it("waits as long as a rate limit's Retry-After asks, and says a long wait at once instead of asking again", async () => {
    const limited = (retryAfter: string) =>
      TRPCClientError.from(new Error("Unable to transform response from server"), {
        meta: {
          response: new Response(null, { status: 429, headers: { "retry-after": retryAfter } }),
          responseJSON: { code: "rate_limited", message: "too many unknown coupon codes" },
        },
      });
    const client = createQueryClient();
    const { retryDelay } = client.getDefaultOptions().queries ?? {};
    expect(typeof retryDelay === "function" ? retryDelay(1, limited("3")) : retryDelay).toBe(3000);

    let asked = 0;
    const ask = () => {
      asked++;
      return Promise.reject(limited("600"));
    };
    await expect(client.fetchQuery({ queryKey: ["limited for 10 minutes"], queryFn: ask })).rejects.toThrow();
    expect(asked).toBe(1);
  });
});
