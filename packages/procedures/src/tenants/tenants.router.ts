import { router, tenantProcedure } from "../trpc.ts";

export const tenantsRouter = router({
  me: tenantProcedure.query(({ ctx }) => ({
    id: ctx.tenantId,
    name: ctx.credential.tenant.name,
    timezone: ctx.credential.tenant.timezone,
    currency: ctx.credential.tenant.currency,
    role: ctx.credential.role,
  })),
});
