import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { startGateway, stopGateway } from "./gateway-fixture.ts";

export interface CustomersDoor {
  db: Db;
  tenant: CreatedTenant;
  /** A call with the tenant's app key, answered as status and parsed body (null when empty). */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A new app sign-in at each call, for a customer of its own. */
  appleIdentity(): { provider: string; subject: string };
  stop(): Promise<void>;
}

/**
 * `/v1/customers…` as an app calls it, for a file's `beforeAll`: an in-process gateway over real services on the
 * clock `now`, and a fresh tenant. `subjects` keeps one file's app sign-ins apart from another's.
 */
export async function startCustomersDoor(options: {
  tenantName: string;
  subjects: string;
  now: () => Date;
}): Promise<CustomersDoor> {
  const { db, bus, gateway } = await startGateway({ now: options.now });
  const stop = () => stopGateway({ gateway, bus, db });
  const tenant = await testTenant(db, options.tenantName).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const call: CustomersDoor["call"] = async (method, path, body) => {
    const res = await gateway.request(path, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.app}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  let signIns = 0;
  const appleIdentity = () => ({ provider: "apple", subject: `001234.${options.subjects}.${++signIns}` });
  return { db, tenant, call, appleIdentity, stop };
}
