import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { decodeProtectedHeader, EncryptJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityTokenTtl, issueToken, redeemToken } from "../src/index.ts";
import { issuingKey, tokenEncryptionKey } from "../src/keys.ts";
import { errorCode, seconds, tenantWithCustomer } from "./fixtures.ts";

let db: Db;
let a: Awaited<ReturnType<typeof tenantWithCustomer>>;
let b: Awaited<ReturnType<typeof tenantWithCustomer>>;

beforeAll(async () => {
  db = testDb();
  [a, b] = await Promise.all([tenantWithCustomer(db, "Token A"), tenantWithCustomer(db, "Token B")]);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("issueToken", () => {
  it("encrypts a token that redeems to the customer, valid for 60 seconds by default", async () => {
    const now = new Date();
    const issued = await issueToken(db, a.tenantId, a.customerId, { now });
    expect(issued.expiresAt).toBe(new Date(Math.floor(now.getTime() / 1000) * 1000 + 60_000).toISOString());
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: "dir", enc: "A256GCM", typ: "rg-id+jwt" });
    expect(await redeemToken(db, a.tenantId, issued.token, { now })).toBe(a.customerId);
  });

  it("names the customer to nobody who holds it: no part of the token reads as the customer's id", async () => {
    const issuedAt = new Date(Date.now() - 3_600_000);
    const spent = await issueToken(db, a.tenantId, a.customerId, { now: issuedAt });
    const fresh = await issueToken(db, a.tenantId, a.customerId);
    for (const { token } of [spent, fresh]) {
      expect(token).not.toContain(a.customerId);
      for (const part of token.split(".")) {
        const decoded = Buffer.from(part, "base64url").toString("utf8");
        expect(decoded).not.toContain(a.customerId);
        expect(decoded).not.toContain(a.customerId.slice(4)); // nor the id without its prefix
      }
      expect(JSON.stringify(decodeProtectedHeader(token))).not.toContain("cus_");
    }
    // Still the token of that customer to the tenant that issued it, and still refused once expired.
    expect(await redeemToken(db, a.tenantId, fresh.token)).toBe(a.customerId);
    expect(await errorCode(redeemToken(db, a.tenantId, spent.token))).toBe("token_expired");
  });

  it("takes a lifetime of 10 to 300 seconds and refuses any other", async () => {
    const now = new Date();
    const longest = await issueToken(db, a.tenantId, a.customerId, { ttlSeconds: 300, now });
    expect(Date.parse(longest.expiresAt) - Math.floor(now.getTime() / 1000) * 1000).toBe(300_000);
    for (const ttlSeconds of [0, 9, 301, 3600, 30.5]) {
      expect(await errorCode(issueToken(db, a.tenantId, a.customerId, { ttlSeconds }))).toBe("invalid_request");
    }
    expect(identityTokenTtl).toMatchObject({ defaultSeconds: 60, maxSeconds: 300 });
  });

  it("names only customers of the tenant: an unknown id or another tenant's customer is not found", async () => {
    expect(await errorCode(issueToken(db, a.tenantId, "cus_00000000000000000000000000"))).toBe("not_found");
    expect(await errorCode(issueToken(db, a.tenantId, b.customerId))).toBe("not_found");
  });

  it("names no erased customer: the row erasure keeps for the ledger is not found, as an unknown id", async () => {
    const erased = await tenantWithCustomer(db, "Token Erased");
    // What erasure leaves (@regulars/privacy): the row, emptied and marked.
    await db.customer.update({ where: { id: erased.customerId }, data: { name: null, erasedAt: new Date() } });
    const answer = (work: Promise<unknown>) =>
      work.then(
        () => "issued",
        (e) => (e instanceof DomainError ? [e.code, e.message] : Promise.reject(e)),
      );
    const unknown = await answer(issueToken(db, erased.tenantId, "cus_00000000000000000000000000"));
    expect(unknown).toEqual(["not_found", expect.any(String)]);
    expect(await answer(issueToken(db, erased.tenantId, erased.customerId))).toEqual(unknown);
    expect(await db.identityTokenKey.count({ where: { tenantId: erased.tenantId } })).toBe(0);
  });

  it("creates the tenant's key on first use, once, however many first tokens are asked for at once", async () => {
    const fresh = await tenantWithCustomer(db, "Token First Use");
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => issueToken(db, fresh.tenantId, fresh.customerId)),
    );
    const kids = new Set(tokens.map((t) => decodeProtectedHeader(t.token).kid));
    expect(kids.size).toBe(1);
    const keys = await db.identityTokenKey.findMany({ where: { tenantId: fresh.tenantId } });
    expect(keys.map((k) => k.kid)).toEqual([...kids]);
    expect(keys[0]!.secret.length).toBe(32);
    // Each token is its own (a distinct jti inside): redeeming one leaves the others usable.
    const redeemed = await Promise.all(tokens.map((t) => redeemToken(db, fresh.tenantId, t.token)));
    expect(redeemed).toEqual(Array(10).fill(fresh.customerId));
  });

  it("gives each tenant a key of its own", async () => {
    const [ta, tb] = await Promise.all([
      issueToken(db, a.tenantId, a.customerId),
      issueToken(db, b.tenantId, b.customerId),
    ]);
    expect(decodeProtectedHeader(ta.token).kid).not.toBe(decodeProtectedHeader(tb.token).kid);
  });
});

describe("redeemToken", () => {
  it("refuses a token at its expiry and after, with token_expired, and records nothing for it", async () => {
    const issuedAt = new Date(Date.now() - 3_600_000);
    const { token, expiresAt } = await issueToken(db, a.tenantId, a.customerId, { now: issuedAt });
    const expiry = new Date(expiresAt);
    expect(await errorCode(redeemToken(db, a.tenantId, token, { now: expiry }))).toBe("token_expired");
    expect(await errorCode(redeemToken(db, a.tenantId, token, { now: seconds(expiry, 3600) }))).toBe("token_expired");
    expect(await errorCode(redeemToken(db, a.tenantId, token))).toBe("token_expired"); // the real clock
    // One second before its expiry the same token still identifies, once.
    expect(await redeemToken(db, a.tenantId, token, { now: seconds(expiry, -1) })).toBe(a.customerId);
  });

  it("identifies once: a second redemption is refused with token_used", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    expect(await redeemToken(db, a.tenantId, token)).toBe(a.customerId);
    expect(await errorCode(redeemToken(db, a.tenantId, token))).toBe("token_used");
  });

  it("of 20 redemptions of one token at once, exactly one wins", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => redeemToken(db, a.tenantId, token)));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toEqual([{ status: "fulfilled", value: a.customerId }]);
    const refusals = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as { code: string }).code] : []));
    expect(refusals).toEqual(Array(19).fill("token_used"));
  });

  it("never identifies at another tenant, and a refusal there does not use the token up", async () => {
    const { token } = await issueToken(db, a.tenantId, a.customerId);
    expect(await errorCode(redeemToken(db, b.tenantId, token))).toBe("token_invalid");
    expect(await redeemToken(db, a.tenantId, token)).toBe(a.customerId);
  });

  it("refuses a token addressed to another tenant, even one sealed with this tenant's key", async () => {
    // Only the key's holder can seal claims at all; even then the audience must be the redeeming tenant.
    const key = await issuingKey(db, a.tenantId);
    const now = Math.floor(Date.now() / 1000);
    const forged = await new EncryptJWT({})
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: key.kid, typ: "rg-id+jwt" })
      .setSubject(a.customerId)
      .setAudience(b.tenantId)
      .setJti("re-addressed")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .encrypt(tokenEncryptionKey(key.secret));
    expect(await errorCode(redeemToken(db, a.tenantId, forged))).toBe("token_invalid");
    expect(await errorCode(redeemToken(db, b.tenantId, forged))).toBe("token_invalid");
  });
});
