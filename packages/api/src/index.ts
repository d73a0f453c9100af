export { appRouter, createCaller, type AppRouter } from "./root.ts";
export type { ApiContext } from "./trpc.ts";
export type { CustomerView, LedgerLine, TillCustomerView } from "./customers/customers.types.ts";
export { GetCustomerInput, CustomerLedgerInput, SearchCustomersInput } from "./customers/customers.types.ts";
export { changeProgramme, currentProgramme, listVersions } from "./programme/programme.service.ts";
export { createKey, listKeys, revokeKey, rotateKey } from "./keys/keys.service.ts";
export { CreateKeyInput, RotateKeyInput, type IssuedKey, type KeyView } from "./keys/keys.types.ts";
