import { roleProcedure, router } from "../trpc.ts";
import { listAudit } from "./audit.queries.ts";
import { ListAuditInput } from "./audit.types.ts";

export const auditRouter = router({
  list: roleProcedure("admin")
    .input(ListAuditInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.tenantId, input)),
});
