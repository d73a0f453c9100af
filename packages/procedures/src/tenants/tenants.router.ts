import { holdCodeLanguages } from "@regulars/checkout";
import { setTenantFrequencyCaps, setTenantLanguage, tenantFrequencyCaps, tenantSettings } from "@regulars/tenancy";
import { roleProcedure, router, tenantProcedure } from "../trpc.ts";
import { SetTenantFrequencyCapsInput, SetTenantLanguageInput } from "./tenants.types.ts";

export const tenantsRouter = router({
  me: tenantProcedure.query(({ ctx }) => ({
    id: ctx.tenantId,
    name: ctx.credential.tenant.name,
    timezone: ctx.credential.tenant.timezone,
    currency: ctx.credential.tenant.currency,
    role: ctx.credential.role,
  })),
  /** The brand's settings, and the languages the till's one-time code is written in (any other reads English). */
  settings: roleProcedure("admin").query(async ({ ctx }) => ({
    ...(await tenantSettings(ctx.db, ctx.tenantId)),
    codeLanguages: holdCodeLanguages,
  })),
  /** The language customers are written to when their own is unknown; audited. */
  setLanguage: roleProcedure("admin")
    .input(SetTenantLanguageInput)
    .mutation(async ({ ctx, input }) => {
      await setTenantLanguage(ctx.db, ctx.tenantId, input.language, ctx.credential.keyId);
      return tenantSettings(ctx.db, ctx.tenantId);
    }),
  /**
   * The caps that hold for every campaign's messages beside each campaign's own; analysts read them too, as they
   * read why a message was capped (messages.list).
   */
  frequencyCaps: roleProcedure("admin", "analyst").query(async ({ ctx }) => ({
    caps: await tenantFrequencyCaps(ctx.db, ctx.tenantId),
  })),
  /** Replaces the tenant's caps; audited. Workers apply a change within their cache's 30 s. */
  setFrequencyCaps: roleProcedure("admin")
    .input(SetTenantFrequencyCapsInput)
    .mutation(async ({ ctx, input }) => ({
      caps: await setTenantFrequencyCaps(ctx.db, ctx.tenantId, input.caps, ctx.credential.keyId),
    })),
});
