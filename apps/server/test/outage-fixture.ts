import { saleBody } from "@regulars/testing";
import type { TestSystem } from "./system-fixture.ts";

/**
 * Tills that keep selling through an outage: one sale every `everyMs` from a few customers, each
 * recorded as accepted (202) or refused. A refused sale stays with the till (it retries later), so
 * what must be awarded exactly once is what was accepted.
 */
export function startTills(
  system: TestSystem,
  posKey: string,
  opts: { everyMs?: number; customers?: number; prefix: string },
) {
  const accepted: string[] = [];
  const refused: { externalId: string; status: number }[] = [];
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const phone = `+48601${String(n % (opts.customers ?? 7)).padStart(6, "0")}`;
      const sale = saleBody({ externalId: `${opts.prefix}-${n++}`, customer: { phone } });
      const res = await system.post("/v1/transactions", posKey, sale).catch(() => ({ status: 0 }));
      if (res.status === 202) accepted.push(sale.externalId);
      else refused.push({ externalId: sale.externalId, status: res.status });
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
    }
  })();
  return {
    accepted,
    refused,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

export interface Readiness {
  status: number;
  body: {
    status: string;
    checks: Record<string, boolean>;
    consumers?: { consumer: string; status: string; dependency?: string; reason?: string }[];
  };
}

export async function readiness(baseUrl: string): Promise<Readiness> {
  const res = await fetch(`${baseUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness["body"] };
}

export async function deadLetterCount(system: TestSystem): Promise<number> {
  return (await system.bus.jsm.streams.info(system.bus.topology.streams.deadLetter)).state.messages;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
