import type { PushDevice, PushTokenRequest } from "@regulars/contracts";
import { isUniqueViolation } from "@regulars/db";
import { type DbOrTx, inTransaction, requireCustomerLocked } from "./shared.ts";

/**
 * Registers a device's push token for the customer: a device is one customer's at a time (someone else
 * signing in on it takes it over) and a token one device's (a reinstalled app may send its old token
 * under a new device id), so a push for one customer never reaches a phone another person now uses.
 */
export async function savePushToken(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  device: PushTokenRequest,
  now: Date,
): Promise<PushDevice> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(db, async (tx) => {
        const id = await requireCustomerLocked(tx, tenantId, customerId);
        await tx.$executeRaw`
          DELETE FROM customer_push_tokens
          WHERE tenant_id = ${tenantId} AND token = ${device.token} AND device_id <> ${device.deviceId}`;
        await tx.$executeRaw`
          INSERT INTO customer_push_tokens (tenant_id, device_id, customer_id, platform, token, created_at, updated_at)
          VALUES (${tenantId}, ${device.deviceId}, ${id}, ${device.platform}, ${device.token}, ${now}, ${now})
          ON CONFLICT (tenant_id, device_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
            platform = EXCLUDED.platform, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at`;
        return { deviceId: device.deviceId, platform: device.platform, updatedAt: now.toISOString() };
      });
    } catch (e) {
      // Two devices registering the same token at once: the second sees the first's row on a retry.
      if (attempt >= 3 || !isUniqueViolation(e) || !("$connect" in db)) throw e;
    }
  }
}

/**
 * Forgets the customer's device (signed out, app removed); true when there was one to forget. By a merged-away id
 * it is the survivor's device, which the merge moved there. An erased customer is not found, as for reading or
 * registering a device (`requireCustomerLocked`): a 204 would tell the app a customer is still there.
 */
export async function removePushToken(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  deviceId: string,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const id = await requireCustomerLocked(tx, tenantId, customerId);
    const removed = await tx.$executeRaw`
      DELETE FROM customer_push_tokens
      WHERE tenant_id = ${tenantId} AND customer_id = ${id} AND device_id = ${deviceId}`;
    return removed > 0;
  });
}

export interface PushTarget {
  deviceId: string;
  platform: "ios" | "android" | "web";
  token: string;
}

/** The tokens to push to a customer (for the messaging that builds on this). */
export async function pushTargets(db: DbOrTx, tenantId: string, customerId: string): Promise<PushTarget[]> {
  const rows = await db.$queryRaw<{ device_id: string; platform: string; token: string }[]>`
    SELECT device_id, platform, token FROM customer_push_tokens
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} ORDER BY updated_at DESC, device_id`;
  return rows.map((r) => ({ deviceId: r.device_id, platform: r.platform as PushTarget["platform"], token: r.token }));
}
