import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { registerCustomer, updateProfile } from "../src/index.ts";
import { appOrigin } from "./fixtures.ts";

/**
 * The two sides of a merge: a till's customer found by phone, and an app account that proves that phone. `db` is
 * read when called (test files open it in `beforeAll`); `phonePrefix` keeps each file's numbers its own.
 */
export function mergeParties(db: () => Db, phonePrefix: string, now = new Date()) {
  let n = 0;
  return {
    freshPhone: () => `${phonePrefix}${String(++n).padStart(6, "0")}`,
    appAccount: async (tenantId: string, at = now) =>
      (
        await registerCustomer(
          db(),
          tenantId,
          RegisterCustomerRequest.parse({ externalIdentity: { provider: "google", subject: newId("request") } }),
          appOrigin(at),
        )
      ).customer.id,
    provePhone: (tenantId: string, customerId: string, phone: string) =>
      updateProfile(
        db(),
        tenantId,
        customerId,
        UpdateProfileRequest.parse({ phone, phoneVerified: true }),
        appOrigin(now),
      ),
    tillCustomer: (tenantId: string, phone: string) =>
      db()
        .customer.findFirstOrThrow({ where: { tenantId, phone, createdVia: "pos" } })
        .then((c) => c.id),
  };
}
