import type { Analytics } from "@regulars/analytics";
import { startApiRole } from "@regulars/api";
import type { Bus } from "@regulars/bus";
import { startGatewayRole } from "@regulars/gateway";
import type { Logger } from "@regulars/logger";
import { type Role, type RoleStarter, type ServerConfig, startRoles } from "@regulars/runtime";
import { startWorkersRole } from "@regulars/workers";
import { type DemoTenant, demoKeysFile, ensureDemoTenant } from "./demo.ts";

export interface RunningSystem {
  roles: Role[];
  gatewayUrl: string | null;
  apiUrl: string | null;
  workersUrl: string | null;
  databaseUrl: string;
  natsUrl: string;
  demo: DemoTenant | null;
  /** Where the demo tenant's keys are kept (in the data folder), when there is a demo tenant. */
  demoKeysFile: string | null;
  /** The connections the roles share; exposed for diagnostics and end-to-end tests. */
  bus: Bus;
  analytics: Analytics | null;
  stop(): Promise<void>;
}

const starters: Record<Role, RoleStarter> = {
  gateway: startGatewayRole,
  workers: startWorkersRole,
  api: startApiRole,
};

/**
 * Starts the requested roles in this process over shared connections (`npm start` runs them all); each
 * app also runs alone (`pnpm --filter @regulars/gateway start`), which is how a deployment runs them.
 */
export async function startSystem(config: ServerConfig, roles: Role[], log: Logger): Promise<RunningSystem> {
  const running = await startRoles(config, log, Object.fromEntries(roles.map((r) => [r, starters[r]])));
  const { ctx, urls } = running;
  try {
    const demoWanted = config.REGULARS_DEMO === "on" || (config.REGULARS_DEMO === "auto" && ctx.deps.embedded.postgres);
    const demo = demoWanted ? await ensureDemoTenant(ctx.db, ctx.dataDir) : null;
    await running.writeRecord(demo && { tenantId: demo.tenantId, keysFile: demoKeysFile(ctx.dataDir) });
    return {
      roles: ctx.roles,
      gatewayUrl: urls.gateway ?? null,
      apiUrl: urls.api ?? null,
      workersUrl: urls.workers ?? null,
      databaseUrl: ctx.deps.databaseUrl,
      natsUrl: ctx.deps.natsUrl,
      demo,
      demoKeysFile: demo ? demoKeysFile(ctx.dataDir) : null,
      bus: ctx.bus,
      analytics: ctx.analytics,
      stop: () => running.stop(),
    };
  } catch (e) {
    await running.stop();
    throw e;
  }
}
