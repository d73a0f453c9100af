export type { CustomerView, LedgerLine, TillCustomerView } from "./customers/customers.types.ts";
export { CustomerLedgerInput, GetCustomerInput, SearchCustomersInput } from "./customers/customers.types.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export type { ApiContext, CheckoutPools } from "./trpc.ts";
