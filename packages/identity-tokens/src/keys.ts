import { hkdfSync, randomBytes } from "node:crypto";
import { type Db, isUniqueViolation } from "@regulars/db";

/** A tenant's token secret and its public id. Never logged, never returned by an API. */
export interface TokenKey {
  kid: string;
  secret: Uint8Array;
}

/** 256 bits: the length the migration's CHECK insists on, and the A256GCM key length derived from it. */
const SECRET_BYTES = 32;

/**
 * Binds the derived key to this one use: the stored secret signed tokens before they were encrypted, and a key
 * derived under another label (or the secret itself) must never open an identity token.
 */
const ENCRYPTION_KEY_INFO = "regulars identity-token A256GCM v1";

/**
 * The A256GCM key that encrypts and decrypts a tenant's tokens, derived from its stored secret. The secret is
 * uniformly random, so HKDF needs no salt; the info label keeps this key apart from any other use of the secret.
 */
export function tokenEncryptionKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, new Uint8Array(0), ENCRYPTION_KEY_INFO, SECRET_BYTES));
}

/**
 * The key that seals the tenant's new tokens, created on the tenant's first token. Two first tokens at
 * once both try to create one; a partial unique index lets only one key be current, and the loser uses it.
 */
export async function issuingKey(db: Db, tenantId: string): Promise<TokenKey> {
  const existing = await db.identityTokenKey.findFirst({
    where: { tenantId, retiredAt: null },
    select: { kid: true, secret: true },
  });
  if (existing) return existing;
  try {
    return await db.identityTokenKey.create({
      // The kid is public (it is in every token's header); 64 random bits keep it short in a QR code.
      data: {
        tenantId,
        kid: randomBytes(8).toString("base64url"),
        secret: crypto.getRandomValues(new Uint8Array(SECRET_BYTES)),
      },
      select: { kid: true, secret: true },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return db.identityTokenKey.findFirstOrThrow({
      where: { tenantId, retiredAt: null },
      select: { kid: true, secret: true },
    });
  }
}

/**
 * The secret of the key `kid`, looked up within the redeeming tenant only: a token sealed with another
 * tenant's key finds nothing here. A retired key opens nothing.
 */
export async function redemptionSecret(db: Db, tenantId: string, kid: string): Promise<Uint8Array | null> {
  const key = await db.identityTokenKey.findFirst({
    where: { tenantId, kid, retiredAt: null },
    select: { secret: true },
  });
  return key?.secret ?? null;
}
