import { withTransaction } from "@regulars/db";
import { type LocationRow, listLocations, setLocation } from "@regulars/tenancy";
import { roleProcedure, router } from "../trpc.ts";
import { type LocationList, type LocationView, SetLocationInput } from "./locations.types.ts";

const viewOf = (row: LocationRow): LocationView => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * The tenant's locations and their time zones, which till-side calendar rules (weekday and hour multipliers,
 * coupon hours) follow. Settings are for admin keys and the staff who act as admins, as `tenants.settings` is.
 */
export const locationsRouter = router({
  list: roleProcedure("admin").query(
    async ({ ctx }): Promise<LocationList> => ({ items: (await listLocations(ctx.db, ctx.tenantId)).map(viewOf) }),
  ),
  /** Creates or replaces a location's name and zone; audited as `locations.set`. */
  set: roleProcedure("admin")
    .input(SetLocationInput)
    .mutation(async ({ ctx, input }): Promise<LocationView> => {
      const saved = await withTransaction(ctx.db, (tx) => setLocation(tx, ctx.tenantId, input, ctx.credential.keyId));
      return viewOf(saved);
    }),
});
