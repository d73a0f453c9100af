/**
 * A stand-in of k6's own modules (k6 cannot be installed here), so that vitest can run a k6 scenario's iterations:
 * `http` answers with what a test says the gateway or the API answered, and checks and metrics are recorded, so the
 * test sees what the run would count. A test file routes k6's modules here:
 *
 *   vi.mock("k6", async () => (await import("./k6-stand-in.ts")).k6);
 */
import { vi } from "vitest";

export interface Sent {
  method: string;
  url: string;
  body: string | undefined;
}
export type Answer = { status: number; body?: unknown };

export const state = {
  iteration: 0,
  /** The requests of the iteration; `setupSent` those of its setup(). */
  sent: [] as Sent[],
  setupSent: [] as Sent[],
  checks: [] as { name: string; pass: boolean }[],
  metrics: {} as Record<string, number[]>,
  answer: (_req: Sent): Answer => ({ status: 500 }),
};

export const k6 = {
  check: (value: unknown, sets: Record<string, (v: unknown) => boolean>) => {
    let all = true;
    for (const [name, fn] of Object.entries(sets)) {
      const pass = Boolean(fn(value));
      state.checks.push({ name, pass });
      all = all && pass;
    }
    return all;
  },
  fail: (message: string) => {
    throw new Error(message);
  },
  sleep: () => {},
};

export const execution = {
  default: {
    scenario: {
      get iterationInTest() {
        return state.iteration;
      },
    },
  },
};

class Metric {
  constructor(private readonly name: string) {}
  add(value: number) {
    state.metrics[this.name] = [...(state.metrics[this.name] ?? []), value];
  }
}
export const metrics = { Counter: Metric, Trend: Metric, Rate: Metric };

function respond(method: string, url: string, body: string | undefined) {
  const req = { method, url, body };
  state.sent.push(req);
  const answer = state.answer(req);
  const text = answer.body === undefined ? null : JSON.stringify(answer.body);
  return {
    status: answer.status,
    body: text,
    timings: { duration: 3 },
    json: (path?: string) => {
      const parsed: unknown = text === null ? null : JSON.parse(text);
      return path
        ? path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown> | null)?.[key], parsed)
        : parsed;
    },
  };
}

export const http = {
  default: {
    post: (url: string, body: string) => respond("POST", url, body),
    get: (url: string) => respond("GET", url, undefined),
    batch: (reqs: { method: string; url: string; body?: string }[]) =>
      reqs.map((r) => respond(r.method, r.url, r.body)),
    expectedStatuses: () => ({}),
  },
};

export type Script = {
  default: (data: never) => void;
  setup?: () => unknown;
  options: { thresholds?: Record<string, string[]> };
};

export const gatewayUrl = "http://gateway.test";
export const apiUrl = "http://api.test";

/** Loads k6/<name>.ts with the environment a run would give it. */
export async function loadScript(name: string): Promise<Script> {
  vi.stubGlobal("__ENV", {
    GATEWAY_URL: gatewayUrl,
    API_URL: apiUrl,
    POS_KEY: "pos",
    APP_KEY: "app",
    KIOSK_KEY: "kiosk",
    CUSTOMERS: "3",
    OUTCOME_TIMEOUT_S: "1",
    SETTLE_TIMEOUT_S: "1",
  });
  return (await import(`../k6/${name}.ts`)) as Script;
}

/** Runs one iteration of a script as k6 would: setup() first, its data passed to the default function. */
export function iterate(script: Script, answer: (req: Sent) => Answer): void {
  state.iteration += 1;
  state.sent = [];
  state.checks = [];
  state.metrics = {};
  state.answer = answer;
  const data = script.setup ? script.setup() : undefined;
  state.setupSent = state.sent;
  state.sent = [];
  script.default(data as never);
}

export const failedChecks = () => state.checks.filter((c) => !c.pass).map((c) => c.name);
export const bodyOf = (req: Sent): Record<string, unknown> => JSON.parse(req.body ?? "null");
