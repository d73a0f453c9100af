import { ListAuditInput, listAudit } from "@regulars/audit";
import { roleProcedure, router } from "../trpc.ts";

export const auditRouter = router({
  list: roleProcedure("admin")
    .input(ListAuditInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.tenantId, input)),
});
