export { classifyApiKey, displayPrefix, generateApiKey, hashApiKey } from "./api-keys.ts";
export { CredentialCache, type CredentialCacheOptions, type CredentialFinder } from "./credential-cache.ts";
export { createDemoTenant } from "./demo.ts";
export { demoMenu } from "./demo-menu.ts";
export { type CreatedTenant, type Credential, createTenant, findCredential, NewTenant } from "./tenants.ts";
