export type { CustomerView, LedgerLine, TillCustomerView } from "./customers/customers.types.ts";
export { CustomerLedgerInput, GetCustomerInput, SearchCustomersInput } from "./customers/customers.types.ts";
export { createKey, listKeys, revokeKey, rotateKey } from "./keys/keys.service.ts";
export { CreateKeyInput, type IssuedKey, type KeyView, RotateKeyInput } from "./keys/keys.types.ts";
export { changeProgramme, currentProgramme, listVersions } from "./programme/programme.service.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export type { ApiContext } from "./trpc.ts";
