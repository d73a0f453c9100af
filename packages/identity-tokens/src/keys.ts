import { randomBytes } from "node:crypto";
import { type Db, isUniqueViolation } from "@regulars/db";

/** A tenant's HS256 secret. Never logged, never returned by an API: it only signs and verifies. */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

/** 256 bits: the HS256 security level, and the length the migration's CHECK insists on. */
const SECRET_BYTES = 32;

/**
 * The key that signs the tenant's new tokens, created on the tenant's first token. Two first tokens at
 * once both try to create one; a partial unique index lets only one key sign, and the loser uses it.
 */
export async function signingKey(db: Db, tenantId: string): Promise<SigningKey> {
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
 * The secret that verifies a token signed with `kid`, looked up within the redeeming tenant only: a token
 * signed with another tenant's key finds nothing here. A retired key verifies nothing.
 */
export async function verificationSecret(db: Db, tenantId: string, kid: string): Promise<Uint8Array | null> {
  const key = await db.identityTokenKey.findFirst({
    where: { tenantId, kid, retiredAt: null },
    select: { secret: true },
  });
  return key?.secret ?? null;
}
