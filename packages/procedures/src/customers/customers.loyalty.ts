import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, exactNumber, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { announceMovements, postMovementsDetailed, qualifyingValues } from "@regulars/ledger-store";
import { expiresAt, tierProgress, tierWindowStart } from "@regulars/rules";
import { recordAudit } from "../audit/audit.queries.ts";

async function programmeNow(db: Db, tenantId: string, now: Date) {
  const [tenant, version] = await Promise.all([
    db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { timezone: true } }),
    db.programmeVersion.findFirst({
      where: { tenantId, effectiveFrom: { lte: now } },
      orderBy: [{ effectiveFrom: "desc" }, { version: "desc" }],
    }),
  ]);
  return { timezone: tenant.timezone, config: ProgrammeConfig.parse(version?.config ?? {}) };
}

async function requireCustomer(db: Db, tenantId: string, customerId: string) {
  const customer = await db.customer.findFirst({ where: { id: customerId, tenantId }, select: { id: true } });
  if (!customer) throw new DomainError("not_found", "no customer matches");
  return customer.id;
}

/** The customer's tier, what it rests on, and the gap to the next one ("Only 20 points to gold"). */
export async function customerTier(db: Db, tenantId: string, customerId: string, now = new Date()) {
  const id = await requireCustomer(db, tenantId, customerId);
  const { timezone, config } = await programmeNow(db, tenantId, now);
  const tiers = config.tiers;
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: id } });
  if (!tiers)
    return {
      tiersEnabled: false as const,
      tier: null,
      since: null,
      basis: null,
      window: null,
      qualifyingValue: 0,
      next: null,
      benefits: null,
    };
  const since = tierWindowStart(tiers.window, now.toISOString(), timezone) ?? new Date(0);
  const [row] = await qualifyingValues(db, tenantId, [id], tiers.basis, since);
  const value = Number(row?.value ?? 0);
  const progress = tierProgress(tiers, value, loyalty?.tier ?? null);
  return {
    tiersEnabled: true as const,
    tier: { id: progress.tier.id, name: progress.tier.name },
    since: loyalty?.tierSince?.toISOString() ?? null,
    basis: tiers.basis,
    window: tiers.window,
    qualifyingValue: value,
    next: progress.next,
    benefits: progress.tier.benefits,
  };
}

export interface AdjustInput {
  customerId: string;
  unit: "points" | "wallet";
  amount: number;
  reason: string;
  /** Lets an admin UI retry a click without adjusting twice. */
  idempotencyKey?: string | null;
}

/**
 * An admin correction, recorded with its reason and the acting key. Credits open a lot (with the
 * programme's expiry); debits may not take a balance below zero: only refunds can do that.
 */
export async function adjustBalance(db: Db, tenantId: string, actor: string, input: AdjustInput, now = new Date()) {
  const id = await requireCustomer(db, tenantId, input.customerId);
  const { timezone, config } = await programmeNow(db, tenantId, now);
  return withTransaction(db, async (tx) => {
    const [account] = await tx.$queryRaw<{ balance: bigint }[]>`
      SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${id} AND kind = ${input.unit} FOR UPDATE`;
    const balance = exactNumber(account?.balance);
    if (balance + input.amount < 0) {
      throw new DomainError(
        "unprocessable",
        `the ${input.unit} balance is ${balance}; an adjustment cannot take it below zero`,
        [{ path: "amount", message: `must be at least ${-balance}` }],
      );
    }
    const key = `adjust:${input.idempotencyKey ?? newId("movement")}`;
    const posted = await postMovementsDetailed(tx, [
      {
        tenantId,
        customerId: id,
        kind: "adjust",
        unit: input.unit,
        amount: input.amount,
        idempotencyKey: key,
        reason: input.reason,
        actor,
        occurredAt: now,
        ...(input.unit === "points" && input.amount > 0
          ? { lot: { availableAt: now, expiresAt: expiresAt(config.expiry, now.toISOString(), timezone) } }
          : {}),
      },
    ]);
    if (posted.length) {
      await announceMovements(tx, config.milestones, posted);
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "customers.adjust",
        target: id,
        details: { unit: input.unit, amount: input.amount, reason: input.reason, key },
      });
    }
    const [after] = await tx.$queryRaw<
      { balance: bigint }[]
    >`SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${id} AND kind = ${input.unit}`;
    return { applied: posted.length > 0, movementId: posted[0]?.id ?? null, balance: exactNumber(after?.balance) };
  });
}
