import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken, pruneUsedIdentityTokens, redeemToken } from "../src/index.ts";
import { signingKey } from "../src/keys.ts";
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

describe("a token that was not issued as it is", () => {
  it("with another customer in it is refused as token_invalid", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const [header, , signature] = token.split(".");
    const claims = { ...decodeJwt(token), sub: "cus_0000000000000000000000other" };
    expect(await errorCode(redeemToken(db, a.tenantId, [header, b64(claims), signature].join(".")))).toBe(
      "token_invalid",
    );
  });

  it("with a later expiry in it is refused as token_invalid", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const [header, , signature] = token.split(".");
    const claims = { ...decodeJwt(token), exp: Math.floor(Date.now() / 1000) + 86_400 };
    expect(await errorCode(redeemToken(db, a.tenantId, [header, b64(claims), signature].join(".")))).toBe(
      "token_invalid",
    );
  });

  it("with a changed signature, unsigned ('alg: none'), or not a token at all is refused as token_invalid", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const [header, payload, signature] = token.split(".");
    const flipped = `${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BB" : "AA"}`;
    const unsigned = [b64({ ...JSON.parse(Buffer.from(header!, "base64url").toString()), alg: "none" }), payload, ""];
    for (const bad of [
      [header, payload, flipped].join("."),
      unsigned.join("."),
      "",
      "not-a-token",
      "a.b.c",
      `${header}.${payload}`,
    ]) {
      expect(await errorCode(redeemToken(db, a.tenantId, bad)), bad).toBe("token_invalid");
    }
    expect(await redeemToken(db, a.tenantId, token)).toBe(a.customerId); // the genuine one still works
  });

  it("signed with the tenant's key but for another purpose (another type, no id) is refused as token_invalid", async () => {
    const key = await signingKey(db, a.tenantId);
    const now = Math.floor(Date.now() / 1000);
    const base = () => new SignJWT({}).setSubject(a.customerId).setAudience(a.tenantId).setIssuedAt(now);
    const otherType = await base()
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
      .setJti("x1")
      .setExpirationTime(now + 60)
      .sign(key.secret);
    const noId = await base()
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "rg-id+jwt" })
      .setExpirationTime(now + 60)
      .sign(key.secret);
    const wrongSecret = await base()
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "rg-id+jwt" })
      .setJti("x2")
      .setExpirationTime(now + 60)
      .sign(new Uint8Array(32).fill(7));
    for (const bad of [otherType, noId, wrongSecret]) {
      expect(await errorCode(redeemToken(db, a.tenantId, bad))).toBe("token_invalid");
    }
  });

  it("signed with a retired key is refused, and the next token is signed with a new key", async () => {
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
