export { resolveCustomers, type CustomerLookup, type Resolution } from "./customers.ts";
export { postMovements, type NewMovement } from "./movements.ts";
export { customerBalances, findBalanceDrift, type CustomerBalances } from "./balances.ts";
