import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customerAccountKind, postingsFor, TENANT_OWNER, tenantAccountKind } from "../src/index.ts";

describe("postingsFor", () => {
  it("moves value between the customer's account and the tenant's counter-account", () => {
    expect(postingsFor("cus_abc", "points", 25)).toEqual([
      { owner: "cus_abc", kind: "points", amount: 25 },
      { owner: TENANT_OWNER, kind: "points_issued", amount: -25 },
    ]);
    expect(postingsFor("cus_abc", "wallet", -300)).toEqual([
      { owner: "cus_abc", kind: "wallet", amount: -300 },
      { owner: TENANT_OWNER, kind: "wallet_issued", amount: 300 },
    ]);
    expect(customerAccountKind("points")).toBe("points");
    expect(tenantAccountKind("wallet")).toBe("wallet_issued");
  });

  it("entries of any movement sum to zero and the customer side carries the signed amount", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^cus_[a-z0-9]{10,20}$/),
        fc.constantFrom("points" as const, "wallet" as const),
        fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
        (customerId, unit, amount) => {
          const postings = postingsFor(customerId, unit, amount);
          expect(postings).toHaveLength(2);
          expect(postings[0].amount + postings[1].amount).toBe(0);
          expect(postings[0]).toMatchObject({ owner: customerId, kind: unit });
          expect(postings[0].amount).toBe(amount);
          expect(postings[1]).toMatchObject({ owner: TENANT_OWNER, kind: `${unit}_issued` });
        },
      ),
    );
  });
});
