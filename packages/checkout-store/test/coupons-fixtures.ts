import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testTenant } from "@regulars/testing";
import { createCampaign } from "../src/index.ts";

export const ACTOR = "key_test_admin";

/** A fresh tenant with `count` customers, so each test has its own campaigns and codes. */
export async function couponTenant(db: Db, customers = 0, name = "Coupon Grill") {
  const { tenantId } = await testTenant(db, name);
  const ids = Array.from({ length: customers }, () => newId("customer"));
  if (ids.length) await db.customer.createMany({ data: ids.map((id) => ({ id, tenantId, createdVia: "test" })) });
  return { tenantId, customers: ids };
}

export const fries = { kind: "percent_off" as const, percent: 50, match: { skus: ["FRIES"] } };

export const generic = (code: string, more: Record<string, unknown> = {}) => ({
  name: `Generic ${code}`,
  benefit: fries,
  codes: { kind: "generic" as const, code },
  ...more,
});
export const unique = (pattern: string, more: Record<string, unknown> = {}) => ({
  name: `Unique ${pattern}`,
  benefit: fries,
  codes: { kind: "unique" as const, pattern },
  ...more,
});
export const imported = (more: Record<string, unknown> = {}) => ({
  name: "Partner codes",
  benefit: { kind: "fixed_off" as const, amount: 300 },
  codes: { kind: "imported" as const },
  ...more,
});

export const campaignOf = (db: Db, tenantId: string, config: unknown) => createCampaign(db, tenantId, config, ACTOR);

/** Coupon uses as the checkout writes them: the store only reads them back here. */
export async function recordUses(
  db: Db,
  tenantId: string,
  campaignId: string,
  uses: { status: string; discount?: number; code?: string; customerId?: string }[],
) {
  await db.couponUse.createMany({
    data: uses.map((u) => ({
      id: newId("couponUse"),
      tenantId,
      campaignId,
      code: u.code ?? "ANY",
      customerId: u.customerId ?? null,
      status: u.status,
      discount: BigInt(u.discount ?? 0),
      localDay: new Date(),
    })),
  });
}

export async function drain(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** The DomainError a call fails with; a call that succeeds, or fails otherwise, fails the test. */
export const rejection = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => {
      if (!(e instanceof DomainError)) throw e;
      return e;
    },
  );
