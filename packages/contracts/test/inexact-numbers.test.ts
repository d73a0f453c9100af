import { describe, expect, it } from "vitest";
import { inexactNumberMessage, inexactNumbers, RegisterCustomerRequest, UpdateProfileRequest } from "../src/index.ts";

/**
 * `JSON.parse` rounds an integer beyond 2^53 − 1 to the nearest double: stored, it is not what was sent, and two
 * different ids read as one. Free-form JSON (preferences, event properties) refuses it, naming where, and says to
 * send such ids as strings.
 */
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => [i.path.join("."), i.message]);

describe("numbers beyond the exact integers", () => {
  it("are refused in preferences, set at registration or by a patch", () => {
    const register = JSON.parse(
      '{"externalIdentity":{"provider":"brand","subject":"s"},"preferences":{"loyaltyNo":12345678901234567890}}',
    );
    expect(issuesOf(RegisterCustomerRequest.safeParse(register))).toEqual([
      ["preferences.loyaltyNo", inexactNumberMessage],
    ]);
    for (const n of ["9007199254740992", "-9007199254740993", "1e20"]) {
      expect(issuesOf(UpdateProfileRequest.safeParse(JSON.parse(`{"preferences":{"n":${n}}}`)))).toEqual([
        ["preferences.n", inexactNumberMessage],
      ]);
    }
    expect(inexactNumberMessage).toContain("as strings");
  });

  it("are still taken up to 2^53 − 1, fractions too, and as strings", () => {
    for (const n of ["9007199254740991", "-9007199254740991", "0.5", "1e15", '"12345678901234567890"']) {
      expect(issuesOf(UpdateProfileRequest.safeParse(JSON.parse(`{"preferences":{"n":${n}}}`)))).toEqual([]);
    }
  });

  it("are found at any depth of free-form JSON, with their paths", () => {
    const properties = JSON.parse(
      '{"orderId":9007199254740993,"ok":9007199254740991,"items":[{"sku":1},{"sku":-1e300}],"s":"9007199254740993"}',
    );
    expect(inexactNumbers(properties, ["properties"])).toEqual([
      { path: ["properties", "orderId"], message: inexactNumberMessage },
      { path: ["properties", "items", 1, "sku"], message: inexactNumberMessage },
    ]);
  });
});
