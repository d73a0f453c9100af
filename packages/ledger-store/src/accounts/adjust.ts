import { recordAudit } from "@regulars/audit";
import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import type { PostedMovement, ProgrammeAt } from "@regulars/ledger";
import { expiresAt } from "@regulars/rules";
import { type LockedCustomer, lockSurvivor } from "../customers/survivor-lock.ts";
import { heldByCustomer } from "../holds/checkout-state.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { postAndAnnounce } from "./announce.ts";
import { movementIdByKey } from "./history.ts";

export interface AdjustInput {
  customerId: string;
  unit: "points" | "wallet";
  amount: number;
  reason: string;
  /** Lets an admin UI retry a click without adjusting twice. */
  idempotencyKey?: string | null;
}

/**
 * What erasure writes over the reasons staff typed about a customer (`erasedText` of @regulars/privacy, which
 * depends on this package and so cannot be imported here). Erasure's sweep for late writes ends 8 days after it, and
 * the lock taken to write says whether the customer is erased: a reason typed about an erased customer is stored as
 * this from the start, never as typed.
 */
const erasedReason = "[erased]";

/** The reason to store for an admin's action on `customer`: as typed, unless the customer is erased. */
export const reasonToStore = (customer: LockedCustomer, typed: string): string =>
  customer.erased ? erasedReason : typed;

/**
 * An admin correction, recorded with its reason and the acting key in the ledger and the audit log (the reason
 * replaced by `erasedReason` when the customer is erased; the correction itself applies).
 * Credits open a lot (with the programme's expiry); debits may not take a balance below zero: only
 * refunds can do that. The customer must belong to the tenant. A repeated `idempotencyKey` changes nothing and
 * answers `applied: false` with the movement the first call posted.
 */
export async function adjustBalance(
  db: Db,
  tenantId: string,
  actor: string,
  input: AdjustInput,
  programme: ProgrammeAt,
  now = new Date(),
) {
  // Under the customer's lock, as a checkout hold is placed: what a hold in force reserves stays spendable.
  return underCustomerLock(db, tenantId, input.customerId, async (tx, customer) => {
    const id = customer.id;
    const reason = reasonToStore(customer, input.reason);
    const [account] = await tx.$queryRaw<{ balance: bigint }[]>`
      SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${id} AND kind = ${input.unit} FOR UPDATE`;
    const balance = exactNumber(account?.balance);
    const held = input.amount < 0 ? ((await heldByCustomer(tx, tenantId, [id], now)).get(id)?.[input.unit] ?? 0) : 0;
    if (balance - held + input.amount < 0) {
      const heldNote = held > 0 ? `, of which ${held} held by a checkout in progress` : "";
      throw new DomainError(
        "unprocessable",
        `the ${input.unit} balance is ${balance}${heldNote}; an adjustment cannot take it below zero`,
        [{ path: "amount", message: `must be at least ${-(balance - held)}` }],
      );
    }
    const key = `adjust:${input.idempotencyKey ?? newId("movement")}`;
    const result = await postOne(
      tx,
      tenantId,
      id,
      { kind: "adjust", unit: input.unit, amount: input.amount, key, reason, actor },
      programme,
      now,
    );
    if (result.applied) {
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "customers.adjust",
        target: id,
        details: { unit: input.unit, amount: input.amount, reason, key },
      });
    }
    return result;
  });
}

export interface BonusInput {
  customerId: string;
  points: number;
  reason: string;
  /** The award's own key (a campaign step's): a repeat changes nothing. */
  idempotencyKey: string;
}

/**
 * Bonus points a campaign awards: a `bonus` movement (not an admin's `adjust`), with the programme's expiry, the
 * acting campaign as its actor, announced as any credit is. A repeated key answers `applied: false` with the movement
 * the first call posted.
 */
export async function awardBonusPoints(
  db: Db,
  tenantId: string,
  actor: string,
  input: BonusInput,
  programme: ProgrammeAt,
  now = new Date(),
) {
  return underCustomerLock(db, tenantId, input.customerId, async (tx, { id }) => {
    const key = `bonus:${input.idempotencyKey}`;
    return postOne(
      tx,
      tenantId,
      id,
      { kind: "bonus", unit: "points", amount: input.points, key, reason: input.reason, actor },
      programme,
      now,
    );
  });
}

/**
 * Runs `work` in a transaction holding the lock of the tenant's customer (not found for any other id): the survivor's
 * when the id was merged away, also by a merge that committed while this waited for the lock (`lockSurvivor`).
 */
async function underCustomerLock<T>(
  db: Db,
  tenantId: string,
  customerId: string,
  work: (tx: DbTx, customer: LockedCustomer) => Promise<T>,
): Promise<T> {
  return withTransaction(db, async (tx) => {
    const customer = await lockSurvivor(tx, tenantId, customerId);
    if (!customer) throw new DomainError("not_found", "no customer matches");
    return work(tx, customer);
  });
}

/** Posts one movement for a customer already locked; a points credit opens a lot with the programme's expiry. */
async function postOne(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  m: {
    kind: "adjust" | "bonus";
    unit: "points" | "wallet";
    amount: number;
    key: string;
    reason: string;
    actor: string;
  },
  programme: ProgrammeAt,
  now: Date,
) {
  const lot =
    m.unit === "points" && m.amount > 0
      ? {
          lot: {
            availableAt: now,
            expiresAt: expiresAt(programme.config.expiry, now.toISOString(), programme.timezone),
          },
        }
      : {};
  const { posted } = await postAndAnnounce(
    tx,
    [
      {
        tenantId,
        customerId,
        kind: m.kind,
        unit: m.unit,
        amount: m.amount,
        idempotencyKey: m.key,
        reason: m.reason,
        actor: m.actor,
        occurredAt: now,
        ...lot,
      },
    ],
    { milestonesOf: () => programme.config.milestones },
  );
  const [after] = await tx.$queryRaw<
    { balance: bigint }[]
  >`SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = ${m.unit}`;
  await announceTakeBack(tx, posted);
  // A replayed key posts nothing and answers the movement its first call posted.
  const movementId = posted[0]?.id ?? (await movementIdByKey(tx, tenantId, m.key));
  return { applied: posted.length > 0, movementId, balance: exactNumber(after?.balance) };
}

/**
 * An admin's negative points adjustment as points.reversed (`movementKind` "adjust"), in the adjustment's transaction:
 * the ledger announces credits alone (`movementEvents`), and without it webhooks and the dashboard's balances would
 * never see points an admin took back. Id as the movement's other events are named; nothing for a replayed key.
 */
async function announceTakeBack(tx: DbTx, posted: readonly PostedMovement[]): Promise<void> {
  const events = posted.flatMap((m): LoyaltyEvent[] =>
    m.kind === "adjust" && m.unit === "points" && m.amount < 0
      ? [
          {
            type: "points.reversed",
            id: `${m.kind}:${m.id}`,
            tenantId: m.tenantId,
            customerId: m.customerId,
            occurredAt: m.occurredAt.toISOString(),
            points: -m.amount,
            movementKind: m.kind,
            transactionId: m.transactionId ?? null,
            balance: m.balance?.after ?? 0,
          },
        ]
      : [],
  );
  await writeOutbox(tx, events.map(outboxItem));
}
