import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tryAcquireLease } from "../src/jobs/scheduler-lease.ts";

// A slow but working Postgres answers each renewal after more than a third of the lease's time to live, so the next
// tick comes while a renewal is still out. Renewals then overlap, each vouching from its sending: the lease stays
// held throughout. Skipping ticks while one was out left the lease unconfirmed for a moment every few ticks, and a
// pass that finds its lease not held stops for good, so a slow Postgres cut every pass short.

const ttlMs = 9_000;
/** Longer than a tick (ttlMs / 3): the next renewal is sent before this one answers. */
const renewalAnswersAfterMs = 3_500;

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The database, with every renewal of a lease answered late. */
const slowRenewals = (real: Db): Db =>
  new Proxy(real, {
    get(target, property) {
      if (property !== "$executeRaw") return Reflect.get(target, property);
      return async (strings: TemplateStringsArray, ...values: unknown[]) => {
        const answer = await target.$executeRaw(strings, ...values);
        if (strings.join("").includes("UPDATE scheduler_leases")) {
          await new Promise((resolve) => setTimeout(resolve, renewalAnswersAfterMs));
        }
        return answer;
      };
    },
  });

it("stays held while every renewal answers after the next tick", async () => {
  const name = `slow-renewals-${Date.now()}-${Math.random()}`;
  const lease = await tryAcquireLease(slowRenewals(db), name, { log: silentLogger, ttlMs });
  expect(lease).not.toBeNull();
  const notHeldAt: number[] = [];
  try {
    // Five ticks: past the moment the second renewal sent would have been the only one vouching.
    for (let waited = 0; waited < 5 * (ttlMs / 3); waited += 100) {
      if (!lease!.held) notHeldAt.push(waited);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await lease!.release();
  }
  expect(notHeldAt).toEqual([]);
}, 60_000);
