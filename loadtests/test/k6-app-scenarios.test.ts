import { BehaviouralEventInput, EventAccepted, EventStatusView, QuoteRequest } from "@regulars/contracts";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  type Answer,
  apiUrl,
  bodyOf,
  failedChecks,
  gatewayUrl,
  iterate,
  loadScript,
  type Script,
  type Sent,
  state,
} from "./k6-stand-in.ts";

// The events and kiosk scenarios over k6 stand-ins answering as the gateway and the API do (shapes from the
// contracts' schemas): the requests they make, and what a run would count of each answer.
vi.mock("k6", async () => (await import("./k6-stand-in.ts")).k6);
vi.mock("k6/execution", async () => (await import("./k6-stand-in.ts")).execution);
vi.mock("k6/metrics", async () => (await import("./k6-stand-in.ts")).metrics);
vi.mock("k6/http", async () => (await import("./k6-stand-in.ts")).http);

const scripts: Record<string, Script> = {};
beforeAll(async () => {
  for (const name of ["events", "kiosk"]) scripts[name] = await loadScript(name);
});

describe("k6/events.ts", () => {
  /** The gateway: setup's sign-ups, then the event accepted and its outcome known after `pending` polls. */
  const gateway = (accept: (req: Sent) => Answer, outcome: "processed" | "rejected", pending = 1) => {
    let polls = 0;
    let accepted: { id: string; eventId: string } | null = null;
    return (req: Sent): Answer => {
      if (req.url.endsWith("/v1/customers")) return { status: 201, body: { customer: { id: "cus_0000000001" } } };
      if (req.method === "POST") {
        expect(BehaviouralEventInput.safeParse(bodyOf(req)).error).toBeUndefined();
        const answer = accept(req);
        if (answer.status === 202) accepted = answer.body as { id: string; eventId: string };
        return answer;
      }
      expect(req.url).toBe(`${gatewayUrl}/v1/events/${encodeURIComponent(accepted!.eventId)}`);
      if (polls++ < pending) return { status: 404, body: { error: { code: "not_found" } } };
      const decidedAt = new Date().toISOString();
      return {
        status: 200,
        body: EventStatusView.parse(
          outcome === "processed"
            ? { ...accepted, status: outcome, customerId: "cus_0000000001", pointsAwarded: 5, decidedAt, conflicts: 0 }
            : {
                ...accepted,
                status: outcome,
                reason: { code: "unknown_customer", message: "?" },
                decidedAt,
                conflicts: 0,
              },
        ),
      };
    };
  };
  const accepted =
    (duplicate = false) =>
    (req: Sent): Answer => ({
      status: 202,
      body: EventAccepted.parse({ id: "evt_1", eventId: bodyOf(req).eventId, status: "accepted", duplicate }),
    });

  it("posts a valid event of a member signed up by setup(), and times it from its POST to processed", () => {
    iterate(scripts.events!, gateway(accepted(), "processed", 2));
    expect(failedChecks()).toEqual([]);
    expect(state.metrics.event_outcome_latency).toHaveLength(1);
    const members = state.setupSent.map((r) => ({ externalIdentity: bodyOf(r).externalIdentity }));
    expect(members).toHaveLength(3);
    expect(members).toContainEqual(bodyOf(state.sent[0]!).customer);
  });

  it("counts rejections, duplicates and refused posts, each failing the run", () => {
    iterate(scripts.events!, gateway(accepted(), "rejected"));
    expect(state.metrics.event_rejected).toEqual([1]);
    iterate(scripts.events!, gateway(accepted(true), "processed"));
    expect(failedChecks()).toEqual(["accepted with its eventId and our id, not a duplicate"]);
    expect(state.metrics.event_duplicate).toEqual([1]);
    iterate(
      scripts.events!,
      gateway(() => ({ status: 503 }), "processed"),
    );
    expect(failedChecks()).toEqual(["status is 202", "accepted with its eventId and our id, not a duplicate"]);
    expect(state.metrics.event_undecided).toEqual([1]);
    const thresholds = scripts.events!.options.thresholds!;
    for (const metric of ["event_rejected", "event_duplicate", "event_undecided"])
      expect(thresholds[metric]).toEqual(["count==0"]);
  });

  it("gives up on an event with no outcome within OUTCOME_TIMEOUT_S, counting it undecided", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const undecided = gateway(accepted(), "processed", Number.POSITIVE_INFINITY);
      iterate(scripts.events!, (req) => {
        vi.advanceTimersByTime(300);
        return undecided(req);
      });
    } finally {
      vi.useRealTimers();
    }
    expect(state.metrics.event_undecided).toEqual([1]);
    expect(state.metrics.event_outcome_latency).toBeUndefined();
  });
});

describe("k6/kiosk.ts", () => {
  const tillView = (id: string) => ({
    view: "till",
    id,
    firstName: "Anna",
    tier: null,
    points: { balance: 120, pending: 0, held: 0 },
    wallet: 0,
    walletHeld: 0,
  });
  const inputOf = (url: string) => JSON.parse(new URL(url).searchParams.get("input")!)["0"];
  /** The gateway's token and the API's tRPC answers, batches of one as `httpBatchLink` reads them. */
  const system = (identify: (id: string) => Answer) => {
    const tokens = new Map<string, string>();
    let n = 0;
    return (req: Sent): Answer => {
      if (req.url === `${gatewayUrl}/v1/customers`)
        return { status: 201, body: { customer: { id: `cus_member0000${++n}` } } };
      if (req.url === `${gatewayUrl}/v1/identity-tokens`) {
        const id = (bodyOf(req).customer as { id: string }).id;
        tokens.set(`tok-${id}`, id);
        return { status: 201, body: { token: `tok-${id}`, expiresAt: new Date(Date.now() + 60_000).toISOString() } };
      }
      const procedure = new URL(req.url).pathname.replace("/trpc/", "");
      if (procedure === "customers.identify") {
        expect(req.url).toBe(`${apiUrl}/trpc/customers.identify?batch=1`);
        return identify(tokens.get(bodyOf(req)["0"] ? (bodyOf(req)["0"] as { token: string }).token : "")!);
      }
      if (procedure === "checkout.quote") {
        const input = inputOf(req.url);
        expect(QuoteRequest.safeParse(input).error).toBeUndefined();
        expect(input.basket.channel).toBe("kiosk");
        return { status: 200, body: [{ result: { data: { currency: "EUR", subtotal: 900, total: 900, lines: [] } } }] };
      }
      if (procedure === "customers.get")
        return { status: 200, body: [{ result: { data: tillView(inputOf(req.url).id) } }] };
      return { status: 404 };
    };
  };

  it("identifies the member with a fresh token, prices a kiosk basket for them and reads their balance", () => {
    iterate(
      scripts.kiosk!,
      system((id) => ({ status: 200, body: [{ result: { data: tillView(id) } }] })),
    );
    expect(failedChecks()).toEqual([]);
    expect(state.sent.map((r) => new URL(r.url).pathname)).toEqual([
      "/v1/identity-tokens",
      "/trpc/customers.identify",
      "/trpc/checkout.quote",
      "/trpc/customers.get",
    ]);
    expect(state.metrics.kiosk_visit_latency).toHaveLength(1);
  });

  it("counts a token that does not identify its member, and stops the visit there", () => {
    iterate(
      scripts.kiosk!,
      system(() => ({ status: 200, body: [{ result: { data: tillView("cus_someoneelse01") } }] })),
    );
    expect(failedChecks()).toEqual(["the token identifies its member"]);
    expect(state.metrics.kiosk_not_identified).toEqual([1]);
    iterate(
      scripts.kiosk!,
      system(() => ({ status: 404, body: [{ error: { message: "not_found" } }] })),
    );
    expect(state.metrics.kiosk_not_identified).toEqual([1]);
    expect(state.sent).toHaveLength(2); // no quote for a customer not identified
    expect(scripts.kiosk!.options.thresholds?.kiosk_not_identified).toEqual(["count==0"]);
  });
});
