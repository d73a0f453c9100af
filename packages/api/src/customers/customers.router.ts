import { roleProcedure, router } from "../trpc.ts";
import { customerLedger, getCustomer, searchCustomers } from "./customers.queries.ts";
import { adjustBalance, customerTier } from "./customers.loyalty.ts";
import { AdjustInput, CustomerIdInput, CustomerLedgerInput, GetCustomerInput, SearchCustomersInput } from "./customers.types.ts";

const staffOrTerminal = roleProcedure("admin", "kiosk", "pos");

export const customersRouter = router({
  get: staffOrTerminal.input(GetCustomerInput).query(({ ctx, input }) => getCustomer(ctx.db, ctx.tenantId, input)),
  ledger: staffOrTerminal.input(CustomerLedgerInput).query(({ ctx, input }) => customerLedger(ctx.db, ctx.tenantId, input)),
  tier: staffOrTerminal.input(CustomerIdInput).query(({ ctx, input }) => customerTier(ctx.db, ctx.tenantId, input.customerId)),
  adjust: roleProcedure("admin").input(AdjustInput).mutation(({ ctx, input }) => adjustBalance(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  search: roleProcedure("admin").input(SearchCustomersInput).query(({ ctx, input }) => searchCustomers(ctx.db, ctx.tenantId, input)),
});
