import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { decodeProtectedHeader, EncryptJWT, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken, pruneUsedIdentityTokens, redeemToken } from "../src/index.ts";
import { issuingKey, tokenEncryptionKey } from "../src/keys.ts";
import { errorCode, seconds, tenantWithCustomer } from "./fixtures.ts";

let db: Db;
let a: Awaited<ReturnType<typeof tenantWithCustomer>>;

beforeAll(async () => {
  db = testDb();
  a = await tenantWithCustomer(db, "Token Tamper");
});
afterAll(async () => {
  await db?.$disconnect();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** The same base64url part with its last characters changed. */
const flip = (part: string) => `${part.slice(0, -2)}${part.endsWith("AA") ? "BB" : "AA"}`;
const secondsNow = () => Math.floor(Date.now() / 1000);

describe("a token that was not issued as it is", () => {
  it("with its ciphertext, tag, nonce or header changed is refused as token_invalid", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const [header, encryptedKey, iv, ciphertext, tag] = token.split(".");
    const headerWith = (extra: object) =>
      b64({ ...JSON.parse(Buffer.from(header!, "base64url").toString()), ...extra });
    for (const bad of [
      [header, encryptedKey, iv, flip(ciphertext!), tag],
      [header, encryptedKey, iv, ciphertext, flip(tag!)],
      [header, encryptedKey, flip(iv!), ciphertext, tag],
      // The header is authenticated with the ciphertext: not even a field the check ignores can be added.
      [headerWith({ x: 1 }), encryptedKey, iv, ciphertext, tag],
      [headerWith({ enc: "A128GCM" }), encryptedKey, iv, ciphertext, tag],
    ]) {
      expect(await errorCode(redeemToken(db, a.tenantId, bad.join("."))), bad.join(".")).toBe("token_invalid");
    }
    expect(await redeemToken(db, a.tenantId, token)).toBe(a.customerId); // the genuine one still works
  });

  it("unsealed ('alg: none'), cut short, or not a token at all is refused as token_invalid", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const [header, ...rest] = token.split(".");
    const kid = decodeProtectedHeader(token).kid;
    const unsigned = [b64({ alg: "none", kid, typ: "rg-id+jwt" }), b64({ sub: a.customerId, aud: a.tenantId }), ""];
    for (const bad of [
      "",
      "not-a-token",
      "a.b.c",
      "a.b.c.d.e",
      unsigned.join("."),
      [header, ...rest.slice(1)].join("."),
    ]) {
      expect(await errorCode(redeemToken(db, a.tenantId, bad)), bad).toBe("token_invalid");
    }
  });

  it("in the earlier signed-only form, even signed with the tenant's own secret, is refused as token_invalid", async () => {
    const key = await issuingKey(db, a.tenantId);
    const now = secondsNow();
    const signed = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "rg-id+jwt" })
      .setSubject(a.customerId)
      .setAudience(a.tenantId)
      .setJti("signed-only")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key.secret);
    expect(await errorCode(redeemToken(db, a.tenantId, signed))).toBe("token_invalid");
  });

  it("sealed for another purpose (another type, no id), with another key or cipher, is refused as token_invalid", async () => {
    const key = await issuingKey(db, a.tenantId);
    const now = secondsNow();
    const sealed = (header: { typ: string; enc?: string }, jti: string | null, encryptionKey: Uint8Array) => {
      const jwt = new EncryptJWT({})
        .setProtectedHeader({ alg: "dir", enc: header.enc ?? "A256GCM", kid: key.kid, typ: header.typ })
        .setSubject(a.customerId)
        .setAudience(a.tenantId)
        .setIssuedAt(now)
        .setExpirationTime(now + 60);
      return (jti ? jwt.setJti(jti) : jwt).encrypt(encryptionKey);
    };
    const derived = tokenEncryptionKey(key.secret);
    for (const bad of [
      await sealed({ typ: "JWT" }, "x1", derived),
      await sealed({ typ: "rg-id+jwt" }, null, derived),
      await sealed({ typ: "rg-id+jwt" }, "x2", new Uint8Array(32).fill(7)),
      // The stored secret itself is not the key: only the key derived from it for this purpose opens a token.
      await sealed({ typ: "rg-id+jwt" }, "x3", key.secret),
      await sealed({ typ: "rg-id+jwt", enc: "A128GCM" }, "x4", derived.slice(0, 16)),
    ]) {
      expect(await errorCode(redeemToken(db, a.tenantId, bad))).toBe("token_invalid");
    }
    expect(await sealed({ typ: "rg-id+jwt" }, "x5", derived).then((t) => redeemToken(db, a.tenantId, t))).toBe(
      a.customerId,
    ); // sealed as issued, it opens: the refusals above are for what each changed
  });

  it("sealed with a retired key is refused, and the next token is sealed with a new key", async () => {
    const fresh = await tenantWithCustomer(db, "Token Retired");
    const { token } = await issueToken(db, fresh.tenantId, fresh.customerId);
    await db.identityTokenKey.updateMany({ where: { tenantId: fresh.tenantId }, data: { retiredAt: new Date() } });
    expect(await errorCode(redeemToken(db, fresh.tenantId, token))).toBe("token_invalid");
    const next = await issueToken(db, fresh.tenantId, fresh.customerId);
    expect(await redeemToken(db, fresh.tenantId, next.token)).toBe(fresh.customerId);
    expect(await db.identityTokenKey.count({ where: { tenantId: fresh.tenantId } })).toBe(2);
  });
});

describe("pruneUsedIdentityTokens", () => {
  it("deletes the records of tokens expired longer than the grace, only for the tenants named", async () => {
    const [mine, other] = await Promise.all([
      tenantWithCustomer(db, "Token Prune"),
      tenantWithCustomer(db, "Token Prune Other"),
    ]);
    const longAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const t of [mine, other]) {
      const old = await issueToken(db, t.tenantId, t.customerId, { now: longAgo });
      await redeemToken(db, t.tenantId, old.token, { now: seconds(longAgo, 1) });
      await redeemToken(db, t.tenantId, (await issueToken(db, t.tenantId, t.customerId)).token);
    }
    expect(await pruneUsedIdentityTokens(db, new Date(), { tenantIds: [mine.tenantId] })).toBe(1);
    expect(await db.usedIdentityToken.count({ where: { tenantId: mine.tenantId } })).toBe(1);
    expect(await db.usedIdentityToken.count({ where: { tenantId: other.tenantId } })).toBe(2);
    // Within the hour's grace the recent record stays: a server whose clock runs behind may take its token as fresh.
    expect(await pruneUsedIdentityTokens(db, seconds(new Date(), 30 * 60), { tenantIds: [mine.tenantId] })).toBe(0);
    expect(await pruneUsedIdentityTokens(db, seconds(new Date(), 2 * 3600), { tenantIds: [mine.tenantId] })).toBe(1);
  });
});
