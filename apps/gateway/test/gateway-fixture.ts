import type { Bus } from "@regulars/bus";
import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { CredentialCache } from "@regulars/tenancy";
import { testBus, testDb } from "@regulars/testing";
import { Registry } from "prom-client";
import { createGatewayApp, type GatewayDeps } from "../src/app.ts";

export type TestBus = Awaited<ReturnType<typeof testBus>>;
export type TestGateway = ReturnType<typeof createGatewayApp>;

/** What every in-process gateway here runs on: the test database's keys, read afresh each time, and no logs. */
export function gatewayDeps(db: Db, bus: Bus, extra: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    bus,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    ...extra,
  };
}

/**
 * An in-process gateway over the test database and a bus of its own, for a file's `beforeAll`; `extra` are the
 * deps the file's tests are about (a pinned clock, limits). The gateway is given the database (statuses, checkout,
 * customers) unless `withDb` is false: the routes that only publish are tested without it, as a gateway may run.
 */
export async function startGateway(extra: Partial<GatewayDeps> = {}, { withDb = true } = {}) {
  const db = testDb();
  const bus = await testBus();
  const gateway = createGatewayApp(gatewayDeps(db, bus, { ...(withDb ? { db } : {}), ...extra }));
  return { db, bus, gateway };
}

/** Takes down what `startGateway` started, for a file's `afterAll` (parts a failed `beforeAll` never set are skipped). */
export async function stopGateway(started: { db?: Db; bus?: TestBus; gateway?: TestGateway }): Promise<void> {
  await started.gateway?.stop();
  await started.bus?.dispose();
  await started.db?.$disconnect();
}

/** Gives the tenant a programme of 1 point per 1.00, in force since the epoch, so its sales apply and earn. */
export async function baseRateProgramme(db: Db, tenantId: string): Promise<void> {
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({ rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }] }),
      createdBy: "test",
    },
  });
}
