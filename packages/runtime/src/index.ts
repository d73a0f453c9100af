// @regulars/runtime: what every Regulars process shares to run: its configuration (validated once, with the
// packages' defaults), the connections it opens (embedded services when no URL is given), HTTP listening,
// the record that lets tools find it, and a main that stops cleanly on a signal.
export { analyticsConfigOf, ClickHouseSettings, loadConfig, parseRoles, Role, ServerConfig } from "./config.ts";
export { openRoleContext, type ReadinessChecks, type RoleContext, type StartedRole } from "./context.ts";
export { applyCpuPriority, type CpuPriority, cpuPriorities } from "./cpu-priority.ts";
export { connectDependencies, type Dependencies } from "./dependencies.ts";
export { envNumber } from "./env-number.ts";
export { type Listening, listen } from "./listen.ts";
export { MessageSettings, messageTrackingOf } from "./messages-config.ts";
export { removeServerRecord, type ServerRecord, tightenDataFiles, writeServerRecord } from "./process-record.ts";
export { oneRoleMain, type RoleStarter, type RunningRoles, startRoles } from "./roles.ts";
export { runMain, type Started } from "./run-main.ts";
