import { oneRoleMain, runMain } from "@regulars/runtime";
import { startGatewayRole } from "./role.ts";

/** `pnpm --filter @regulars/gateway start`: the ingestion gateway alone, as a deployment runs it. */
runMain("The Regulars gateway", oneRoleMain("gateway", startGatewayRole));
