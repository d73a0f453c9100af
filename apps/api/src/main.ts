import { oneRoleMain, runMain } from "@regulars/runtime";
import { startApiRole } from "./role.ts";

/** `pnpm --filter @regulars/api start`: the tRPC API alone, as a deployment runs it. */
runMain("The Regulars API", oneRoleMain("api", startApiRole));
