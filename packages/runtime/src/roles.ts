import type { Logger } from "@regulars/logger";
import type { Role, ServerConfig } from "./config.ts";
import { openRoleContext, type RoleContext, type StartedRole } from "./context.ts";
import { removeServerRecord, type ServerRecord, writeServerRecord } from "./process-record.ts";

export type RoleStarter = (ctx: RoleContext) => Promise<StartedRole>;

export interface RunningRoles {
  ctx: RoleContext & { close(): Promise<void> };
  urls: Partial<Record<Role, string>>;
  /** Lets the CLI and the benchmark find this process (its URLs, never a credential). */
  writeRecord(demo: ServerRecord["demo"]): Promise<void>;
  stop(): Promise<void>;
}

/** Workers first (they drain what the gateway stores), the gateway, then the API; stopped the other way round. */
const startOrder: Role[] = ["workers", "gateway", "api"];

/** Starts the given roles in this process over one shared context. */
export async function startRoles(
  config: ServerConfig,
  log: Logger,
  starters: Partial<Record<Role, RoleStarter>>,
): Promise<RunningRoles> {
  const roles = startOrder.filter((r) => starters[r]);
  const ctx = await openRoleContext(config, roles, log);
  const started: StartedRole[] = [];
  const urls: Partial<Record<Role, string>> = {};
  const stopStarted = async () => {
    for (const role of started.splice(0).reverse())
      await role.stop().catch((e) => log.warn({ err: e }, "shutdown step failed"));
  };
  try {
    for (const role of roles) {
      const running = await starters[role]!(ctx);
      started.push(running);
      urls[role] = running.url;
    }
  } catch (e) {
    await stopStarted();
    await ctx.close();
    throw e;
  }
  return {
    ctx,
    urls,
    writeRecord: (demo) =>
      writeServerRecord(ctx.dataDir, {
        roles,
        gatewayUrl: urls.gateway ?? null,
        apiUrl: urls.api ?? null,
        workersUrl: urls.workers ?? null,
        natsUrl: ctx.deps.natsUrl,
        namespace: config.REGULARS_NAMESPACE,
        demo,
      }),
    async stop() {
      await removeServerRecord(ctx.dataDir); // tools stop targeting this process as soon as it is on its way out
      // Servers first (stop taking work), then workers (finish the batch in hand), then connections.
      await stopStarted();
      await ctx.close();
    },
  };
}

/** The main of a process that runs one role. */
export function oneRoleMain(role: Role, start: RoleStarter) {
  return async (config: ServerConfig, log: Logger) => {
    const running = await startRoles(config, log, { [role]: start });
    await running.writeRecord(null);
    return { stop: () => running.stop(), banner: `Regulars ${role} running on ${running.urls[role]}\n` };
  };
}
