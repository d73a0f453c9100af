import { randomBytes } from "node:crypto";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { decodeProtectedHeader, EncryptJWT, errors as joseErrors, jwtDecrypt } from "jose";
import { issuingKey, redemptionSecret, tokenEncryptionKey } from "./keys.ts";

/** The token type in the header: a JWT minted for something else, even with our key, is not an identity token. */
const TOKEN_TYPE = "rg-id+jwt";
/**
 * Encrypted, not only signed: whoever photographs or keeps a code must not read the customer's id out of it, since
 * tills accept `{ id }` references and the id would outlive the token's expiry and single use. AES-GCM also
 * authenticates, so an altered token opens to nothing.
 */
const KEY_MANAGEMENT = "dir";
const CONTENT_ENCRYPTION = "A256GCM";

export const identityTokenTtl = {
  /** Long enough to walk up to a kiosk with the app open; short enough that a photographed code is stale. */
  defaultSeconds: 60,
  minSeconds: 10,
  maxSeconds: 300,
};

export interface IssuedIdentityToken {
  token: string;
  /** ISO 8601; the token identifies nobody from this instant on. */
  expiresAt: string;
}

export interface IssueOptions {
  ttlSeconds?: number;
  /** The clock; tests may pin it. */
  now?: Date;
}

/**
 * An encrypted, single-use token naming one of the tenant's customers, for the brand's app to show as a QR code.
 * The customer must exist in this tenant: a token never names someone the redeeming tenant does not know. An
 * erased customer is as unknown: erasure keeps the row (emptied) for the ledger, and a token would let a kiosk
 * identify the account that erasure ended, which no phone or card can any more.
 */
export async function issueToken(
  db: Db,
  tenantId: string,
  customerId: string,
  options: IssueOptions = {},
): Promise<IssuedIdentityToken> {
  const ttl = options.ttlSeconds ?? identityTokenTtl.defaultSeconds;
  if (!Number.isInteger(ttl) || ttl < identityTokenTtl.minSeconds || ttl > identityTokenTtl.maxSeconds) {
    throw new DomainError(
      "invalid_request",
      `ttlSeconds must be a whole number from ${identityTokenTtl.minSeconds} to ${identityTokenTtl.maxSeconds}`,
      [{ path: "ttlSeconds", message: `must be ${identityTokenTtl.minSeconds}-${identityTokenTtl.maxSeconds}` }],
    );
  }
  const customer = await db.customer.findFirst({
    where: { id: customerId, tenantId, erasedAt: null },
    select: { id: true },
  });
  if (!customer) throw new DomainError("not_found", "no customer matches");
  const key = await issuingKey(db, tenantId);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + ttl;
  // The header stays readable (it carries the kid that finds the key); every claim is inside the ciphertext.
  const token = await new EncryptJWT({})
    .setProtectedHeader({ alg: KEY_MANAGEMENT, enc: CONTENT_ENCRYPTION, kid: key.kid, typ: TOKEN_TYPE })
    .setSubject(customerId)
    .setAudience(tenantId)
    .setJti(randomBytes(16).toString("base64url"))
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .encrypt(tokenEncryptionKey(key.secret));
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

export interface RedeemOptions {
  /** The clock; tests may pin it. */
  now?: Date;
}

const invalid = () => new DomainError("token_invalid", "the identity token is not valid here; show a fresh code");

/**
 * The customer an identity token names, once: the token must be encrypted with a key of this tenant, unexpired,
 * and not redeemed before. Its `jti` is recorded in the same statement that checks it, so of concurrent
 * redemptions of one token exactly one wins.
 *
 * Tokens issued in the earlier signed-only form are refused as `token_invalid`, not honoured until they expire:
 * they live five minutes at most, the refusal asks the customer to show a fresh code, and keeping the signature
 * path would keep a second way in for no lasting gain.
 */
export async function redeemToken(
  db: Db,
  tenantId: string,
  token: string,
  options: RedeemOptions = {},
): Promise<string> {
  const now = options.now ?? new Date();
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw invalid();
  }
  if (typeof kid !== "string") throw invalid();
  const secret = await redemptionSecret(db, tenantId, kid);
  if (!secret) throw invalid();
  let claims: { sub?: string; jti?: string; exp?: number };
  try {
    ({ payload: claims } = await jwtDecrypt(token, tokenEncryptionKey(secret), {
      keyManagementAlgorithms: [KEY_MANAGEMENT],
      contentEncryptionAlgorithms: [CONTENT_ENCRYPTION],
      typ: TOKEN_TYPE,
      audience: tenantId,
      requiredClaims: ["sub", "jti", "iat", "exp"],
      currentDate: now,
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) {
      throw new DomainError("token_expired", "the identity token has expired; show a fresh code");
    }
    if (e instanceof joseErrors.JOSEError) throw invalid();
    throw e;
  }
  const { sub: customerId, jti, exp } = claims;
  if (typeof customerId !== "string" || typeof jti !== "string" || typeof exp !== "number") throw invalid();
  const recorded = await db.$queryRaw<unknown[]>`
    INSERT INTO used_identity_tokens (tenant_id, jti, customer_id, used_at, expires_at)
    VALUES (${tenantId}, ${jti}, ${customerId}, ${now}, ${new Date(exp * 1000)})
    ON CONFLICT (tenant_id, jti) DO NOTHING
    RETURNING jti`;
  if (recorded.length === 0)
    throw new DomainError("token_used", "this identity token was used already; show a fresh code");
  return customerId;
}
