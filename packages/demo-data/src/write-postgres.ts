import type { Db } from "@regulars/db";
import { ulid } from "@regulars/ids";
import type { DemoCustomer } from "./customer.ts";

/** Rows of a batch of demo customers, column by column, for one `INSERT ... SELECT FROM unnest(...)` per table. */
export async function insertDemoCustomers(
  db: Db,
  tenantId: string,
  batch: { id: string; customer: DemoCustomer }[],
): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const ids = batch.map((b) => b.id);
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
      INSERT INTO customers (id, tenant_id, name, email, phone, date_of_birth, created_via, created_at)
      SELECT id, ${tenantId}, name, email, phone, date_of_birth::date, created_via, created_at::timestamptz
      FROM unnest(${ids}::text[], ${batch.map((b) => b.customer.name)}::text[],
        ${batch.map((b) => b.customer.email)}::text[], ${batch.map((b) => b.customer.phone)}::text[],
        ${batch.map((b) => b.customer.dateOfBirth)}::text[], ${batch.map((b) => (b.customer.app ? "app" : "pos"))}::text[],
        ${batch.map((b) => iso(b.customer.createdAt))}::text[])
        AS c(id, name, email, phone, date_of_birth, created_via, created_at)`;
      const identities = batch.flatMap((b) => [
        { kind: "phone", value: b.customer.phone, id: b.id, at: b.customer.createdAt },
        ...(b.customer.app
          ? [
              {
                kind: `ext:${b.customer.app.provider}`,
                value: b.customer.app.subject,
                id: b.id,
                at: b.customer.createdAt,
              },
            ]
          : []),
      ]);
      await tx.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id, created_at)
      SELECT ${tenantId}, kind, value, customer_id, created_at::timestamptz
      FROM unnest(${identities.map((i) => i.kind)}::text[], ${identities.map((i) => i.value)}::text[],
        ${identities.map((i) => i.id)}::text[], ${identities.map((i) => iso(i.at))}::text[])
        AS i(kind, value, customer_id, created_at)
      ON CONFLICT DO NOTHING`; // a number a till already registered stays that customer's
      const apps = batch.filter((b) => b.customer.app);
      await tx.$executeRaw`
      INSERT INTO customer_profiles (customer_id, tenant_id, registered_at, phone_verified, version, updated_at)
      SELECT customer_id, ${tenantId}, registered_at::timestamptz, true, 1, registered_at::timestamptz
      FROM unnest(${apps.map((b) => b.id)}::text[], ${apps.map((b) => iso(b.customer.app!.registeredAt))}::text[])
        AS p(customer_id, registered_at)`;
      const consents = batch.flatMap((b) =>
        b.customer.consents.map((c) => ({ ...c, customerId: b.id, at: b.customer.createdAt })),
      );
      await tx.$executeRaw`
      INSERT INTO customer_consents (id, tenant_id, customer_id, channel, purpose, granted, source, occurred_at, recorded_at)
      SELECT id, ${tenantId}, customer_id, channel, purpose, granted, 'demo-seed', at::timestamptz, at::timestamptz
      FROM unnest(${consents.map(() => `cns_${ulid()}`)}::text[], ${consents.map((c) => c.customerId)}::text[],
        ${consents.map((c) => c.channel)}::text[], ${consents.map((c) => c.purpose)}::text[],
        ${consents.map((c) => c.granted)}::boolean[], ${consents.map((c) => iso(c.at))}::text[])
        AS c(id, customer_id, channel, purpose, granted, at)`;
    },
    // Prisma's 5 s default is too short for a batch on a busy machine (a million customers' seed failed on it).
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** How many customers the tenant has: a second seed run numbers its customers after them (phones stay unique). */
export async function countCustomers(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM customers WHERE tenant_id = ${tenantId}`;
  return Number(row?.n ?? 0);
}
