import {
  AddStaffInput,
  addStaff,
  listStaff,
  removeStaff,
  SetStaffRoleInput,
  StaffIdInput,
  setStaffRole,
} from "@regulars/staff";
import { ownerProcedure, router, type TenantContext, tenantProcedure } from "../trpc.ts";

/** Who acts: audit rows name the key or `staff:<id>`, and the member's own id guards against self-removal. */
const changedBy = (ctx: TenantContext) => ({ actor: ctx.credential.keyId, staffId: ctx.credential.staff?.id });

/** The people who sign in to the admin app; managed by admin keys and owners, every change audited. */
export const staffRouter = router({
  /** The signed-in member and their tenant; `staff` is null for an API key. */
  me: tenantProcedure.query(({ ctx }) => ({
    staff: ctx.credential.staff ?? null,
    tenant: {
      id: ctx.tenantId,
      name: ctx.credential.tenant.name,
      currency: ctx.credential.tenant.currency,
      timezone: ctx.credential.tenant.timezone,
    },
  })),
  list: ownerProcedure.query(({ ctx }) => listStaff(ctx.db, ctx.tenantId)),
  add: ownerProcedure
    .input(AddStaffInput.strict())
    .mutation(({ ctx, input }) => addStaff(ctx.db, ctx.tenantId, input, ctx.credential.keyId)),
  remove: ownerProcedure
    .input(StaffIdInput.strict())
    .mutation(({ ctx, input }) => removeStaff(ctx.db, ctx.tenantId, input.id, changedBy(ctx))),
  setRole: ownerProcedure
    .input(SetStaffRoleInput.strict())
    .mutation(({ ctx, input }) => setStaffRole(ctx.db, ctx.tenantId, input, changedBy(ctx))),
});
