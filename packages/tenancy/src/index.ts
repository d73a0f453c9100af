export { classifyApiKey, displayPrefix, generateApiKey, hashApiKey } from "./api-keys.ts";
export { CredentialCache, type CredentialCacheOptions, type CredentialFinder } from "./credential-cache.ts";
export { createDemoOwner, createDemoTenant, demoOwnerEmail } from "./demo.ts";
export { demoMenu } from "./demo-menu.ts";
export { setTenantFrequencyCaps, TenantFrequencyCaps, tenantFrequencyCaps } from "./frequency-caps.ts";
export { createKey, listKeys, revokeKey, rotateKey } from "./keys.ts";
export {
  CreateKeyInput,
  type IssuedKey,
  KeyIdInput,
  type KeyView,
  ListKeysInput,
  RotateKeyInput,
} from "./keys.types.ts";
export { type LocationRow, type LocationSettings, listLocations, setLocation } from "./locations.ts";
export { type CatalogCategory, type CatalogProduct, listProducts } from "./products.ts";
export { credentialOfStaffSession } from "./staff-credential.ts";
export {
  type CreatedTenant,
  type Credential,
  createTenant,
  findCredential,
  NewTenant,
  setTenantLanguage,
  type TenantSettings,
  tenantSettings,
} from "./tenants.ts";
export { storedTimeZone, validTimeZone } from "./time-zones.ts";
