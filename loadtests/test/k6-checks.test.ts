import { RegisterCustomerRequest, TransactionAccepted } from "@regulars/contracts";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { bodyOf, failedChecks, iterate, loadScript, type Script, type Sent, state } from "./k6-stand-in.ts";

// The scenarios' checks, counters and thresholds, over k6 stand-ins answering as the gateway does (shapes from the
// contracts' schemas): what a run would count of each answer.
vi.mock("k6", async () => (await import("./k6-stand-in.ts")).k6);
vi.mock("k6/execution", async () => (await import("./k6-stand-in.ts")).execution);
vi.mock("k6/metrics", async () => (await import("./k6-stand-in.ts")).metrics);
vi.mock("k6/http", async () => (await import("./k6-stand-in.ts")).http);

const scripts: Record<string, Script> = {};
beforeAll(async () => {
  for (const name of ["ingest", "settle", "app-signups"]) scripts[name] = await loadScript(name);
});

describe("k6/ingest.ts", () => {
  const accepted = (duplicate: boolean) => (req: Sent) => ({
    status: 202,
    body: TransactionAccepted.parse({
      id: "txn_1",
      externalId: bodyOf(req).externalId,
      status: "accepted",
      duplicate,
    }),
  });

  it("counts a first acceptance as accepted", () => {
    iterate(scripts.ingest!, accepted(false));
    expect(failedChecks()).toEqual([]);
    expect(state.metrics.tx_accepted).toEqual([1]);
    expect(state.metrics.tx_duplicate).toBeUndefined();
  });

  it("fails a duplicate answer's check, counts it as a duplicate and not as accepted, and fails the run on it", () => {
    iterate(scripts.ingest!, accepted(true));
    expect(failedChecks()).toEqual(["body says accepted, not a duplicate"]);
    expect(state.metrics.tx_duplicate).toEqual([1]);
    expect(state.metrics.tx_accepted).toBeUndefined();
    expect(state.metrics.tx_accepted_cents).toBeUndefined();
    expect(scripts.ingest!.options.thresholds?.tx_duplicate).toEqual(["count==0"]);
  });
});

describe("k6/settle.ts", () => {
  it("counts a sale the gateway refuses as unsettled, with a failed check and a threshold on refused posts", () => {
    iterate(scripts.settle!, () => ({ status: 429, body: { error: { code: "rate_limited" } } }));
    expect(failedChecks()).toEqual(["status is 202"]);
    expect(state.metrics.tx_unsettled).toEqual([1]);
    expect(state.sent).toHaveLength(1); // nothing polled for a sale that was not taken
    expect(scripts.settle!.options.thresholds?.["http_req_failed{name:POST /v1/transactions}"]).toEqual(["rate<0.01"]);
  });

  it("times a sale from its POST to processed", () => {
    iterate(scripts.settle!, (req) =>
      req.method === "POST"
        ? { status: 202, body: { externalId: bodyOf(req).externalId, status: "accepted", duplicate: false } }
        : { status: 200, body: { status: "processed" } },
    );
    expect(failedChecks()).toEqual([]);
    expect(state.metrics.tx_settle_latency).toHaveLength(1);
    expect(state.metrics.tx_unsettled).toBeUndefined();
  });
});

describe("k6/app-signups.ts", () => {
  /** The gateway's answers, the profile's consents made by `stored` from the ones signed up with. */
  const gateway =
    (stored: (sent: { channel: string; purpose: string; granted: boolean }[]) => unknown[]) => (req: Sent) => {
      const registered = state.sent.find((r) => r.url.endsWith("/v1/customers"));
      if (req.method === "POST" && req.url.endsWith("/v1/customers")) {
        expect(RegisterCustomerRequest.safeParse(bodyOf(req)).error).toBeUndefined();
        return { status: 201, body: { customer: { id: "cus_0000000001" } } };
      }
      if (req.method === "POST") return { status: 204 };
      const sent = bodyOf(registered!).consents as { channel: string; purpose: string; granted: boolean }[];
      return { status: 200, body: { id: "cus_0000000001", consents: stored(sent) } };
    };
  const inForce = (c: { channel: string; purpose: string; granted: boolean }) => ({
    ...c,
    source: "app:onboarding",
    occurredAt: new Date().toISOString(),
  });

  it("passes the profile whose consents in force are those given (a refusal may be left out)", () => {
    iterate(
      scripts["app-signups"]!,
      gateway((sent) => sent.map(inForce)),
    );
    expect(failedChecks()).toEqual([]);
    iterate(
      scripts["app-signups"]!,
      gateway((sent) => sent.filter((c) => c.granted).map(inForce)),
    );
    expect(failedChecks()).toEqual([]);
  });

  it("fails the profile whose consents differ from those given, whatever channels it names", () => {
    iterate(
      scripts["app-signups"]!,
      gateway((sent) => sent.map((c) => inForce({ ...c, granted: !c.granted }))),
    );
    expect(failedChecks()).toEqual(["profile has the consents given"]);
    iterate(
      scripts["app-signups"]!,
      gateway(() => []),
    );
    const sent = bodyOf(state.sent[0]!).consents as { granted: boolean }[];
    expect(failedChecks()).toEqual(sent.some((c) => c.granted) ? ["profile has the consents given"] : []);
  });
});
