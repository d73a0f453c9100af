import { oneRoleMain, runMain } from "@regulars/runtime";
import { startWorkersRole } from "./role.ts";

/** `pnpm --filter @regulars/workers start`: the workers alone (WORKERS picks which), as a deployment runs them. */
runMain("The Regulars workers", oneRoleMain("workers", startWorkersRole));
