import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiRoleOfStaff, generatePassword, hashPassword, secondsUntilAllowed, verifyPassword } from "../src/index.ts";

describe("passwords", () => {
  it("hash with a fresh salt and the parameters in the string, and verify only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("verify a hash made with other parameters, and refuse strings that are not ours or ask too much", async () => {
    // As a hash made before the cost was raised: N = 2^14, r = 8, p = 1, a 32-byte key.
    const salt = randomBytes(16);
    const key = scryptSync("pw-of-an-older-cost", salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const older = `scrypt$16384$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("pw-of-an-older-cost", older)).toBe(true);
    expect(await verifyPassword("pw-of-a-newer-cost", older)).toBe(false);
    for (const bad of ["", "plain", "bcrypt$2b$10$abc", "scrypt$1048576$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA"])
      expect(await verifyPassword("x", bad), bad).toBe(false);
  });

  it("generate long random passwords", () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[\w-]{24}$/);
  });
});

describe("roles", () => {
  it("map owners, marketers and operators to the admin API role and analysts to analyst", () => {
    expect(["owner", "marketer", "operator", "analyst"].map((r) => apiRoleOfStaff(r as never))).toEqual([
      "admin",
      "admin",
      "admin",
      "analyst",
    ]);
  });
});

describe("secondsUntilAllowed", () => {
  const now = new Date();
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const window = 15 * 60_000;

  it("allows while fewer than the limit are in the window", () => {
    expect(secondsUntilAllowed([ago(1), ago(2)], 5, window, now)).toBeNull();
  });

  it("waits until the oldest of the last `limit` attempts leaves the window", () => {
    expect(secondsUntilAllowed([ago(10), ago(20), ago(30), ago(40), ago(60)], 5, window, now)).toBe(15 * 60 - 60);
    expect(secondsUntilAllowed([ago(10), ago(20), ago(30), ago(40), ago(900)], 5, window, now)).toBeNull();
  });
});
