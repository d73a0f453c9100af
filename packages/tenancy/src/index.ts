export { classifyApiKey, generateApiKey, hashApiKey, displayPrefix } from "./api-keys.ts";
export { createTenant, findCredential, NewTenant, type CreatedTenant, type Credential } from "./tenants.ts";
export { CredentialCache, type CredentialCacheOptions, type CredentialFinder } from "./credential-cache.ts";
export { createDemoTenant } from "./demo.ts";
export { demoMenu } from "./demo-menu.ts";
