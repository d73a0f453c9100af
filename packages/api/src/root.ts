import { customersRouter } from "./customers/customers.router.ts";
import { tenantsRouter } from "./tenants/tenants.router.ts";
import { transactionsRouter } from "./transactions/transactions.router.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  tenants: tenantsRouter,
  customers: customersRouter,
  transactions: transactionsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
