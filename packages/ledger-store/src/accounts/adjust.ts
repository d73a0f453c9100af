import { recordAudit } from "@regulars/audit";
import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import type { PostedMovement, ProgrammeAt } from "@regulars/ledger";
import { expiresAt } from "@regulars/rules";
import { survivorsOf } from "../customers/resolve.ts";
import { type LockedCustomer, lockSurvivor } from "../customers/survivor-lock.ts";
import { heldByCustomer } from "../holds/checkout-state.ts";
import { expireLapsedHolds } from "../holds/release.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { postAndAnnounce } from "./announce.ts";
import { pseudonymiseErasedCustomers } from "./erased-events.ts";
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
 * answers `applied: false` with the movement the first call posted; the key is the tenant's, so one its first call
 * used for another customer, unit, amount or reason is an `idempotency_conflict` and changes nothing either.
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
    const key = `adjust:${input.idempotencyKey ?? newId("movement")}`;
    // Before the balance is judged: a retried click answers what the click did, though the balance it left could
    // not take the same debit again.
    const repeated = await repeatedAdjustment(tx, tenantId, key, customer, { ...input, reason });
    if (repeated) return repeated;
    if (input.amount < 0) await refuseOverdraft(tx, tenantId, id, input, now);
    const result = await postOne(
      tx,
      tenantId,
      id,
      { kind: "adjust", unit: input.unit, amount: input.amount, key, reason, actor },
      programme,
      now,
    );
    if (!result.applied) {
      // The key's first call, under another customer's lock, committed while this one waited on the key.
      await repeatedAdjustment(tx, tenantId, key, customer, { ...input, reason });
      return result;
    }
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "customers.adjust",
      target: id,
      details: { unit: input.unit, amount: input.amount, reason, key },
    });
    return result;
  });
}

/**
 * What an adjustment posted before under `key` answers (null when none did), or an `idempotency_conflict` when it
 * adjusted something else. Its customer is compared through merges: a retry may name the account that absorbed it.
 * An erased customer's reasons were overwritten, so theirs is not compared.
 */
async function repeatedAdjustment(
  tx: DbTx,
  tenantId: string,
  key: string,
  customer: LockedCustomer,
  asked: { unit: AdjustInput["unit"]; amount: number; reason: string },
) {
  const [first] = await tx.$queryRaw<
    { id: string; customer_id: string; unit: string; amount: bigint; reason: string | null }[]
  >`SELECT id, customer_id, unit, amount, reason FROM ledger_movements WHERE tenant_id = ${tenantId} AND idempotency_key = ${key}`;
  if (!first) return null;
  const sameCustomer = (await survivorsOf(tx, [first.customer_id])).get(first.customer_id)?.survivorId === customer.id;
  const same =
    sameCustomer &&
    first.unit === asked.unit &&
    exactNumber(first.amount) === asked.amount &&
    (customer.erased || first.reason === asked.reason);
  if (!same)
    throw new DomainError(
      "idempotency_conflict",
      "this idempotencyKey was used before for another adjustment; send a changed adjustment under a new key",
      [{ path: "idempotencyKey", message: "was used before for another customer, unit, amount or reason" }],
    );
  const [account] = await tx.$queryRaw<{ balance: bigint }[]>`
    SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customer.id} AND kind = ${asked.unit}`;
  return { applied: false, movementId: first.id, balance: exactNumber(account?.balance) };
}

/**
 * Refuses a debit the balance cannot take, less what checkout holds in force reserve. Holds past their expiry are
 * ended first, as a new hold ends them (`expireLapsedHolds`): such a hold reserves nothing, yet a sale the gateway
 * received before its expiry still commits it, and would spend the points or cash debited here again.
 */
async function refuseOverdraft(tx: DbTx, tenantId: string, customerId: string, input: AdjustInput, now: Date) {
  // Holds (and their campaigns) before the account: the order a sale's batch locks them in.
  await expireLapsedHolds(tx, tenantId, [customerId], now);
  const [account] = await tx.$queryRaw<{ balance: bigint }[]>`
    SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = ${input.unit} FOR UPDATE`;
  const balance = exactNumber(account?.balance);
  const held = (await heldByCustomer(tx, tenantId, [customerId], now)).get(customerId)?.[input.unit] ?? 0;
  if (balance - held + input.amount >= 0) return;
  const floor = held - balance;
  const floorParams = { origin: "number", minimum: floor, inclusive: true };
  const heldNote = held > 0 ? `, of which ${held} held by a checkout in progress` : "";
  throw new DomainError(
    "unprocessable",
    `the ${input.unit} balance is ${balance}${heldNote}; an adjustment cannot take it below zero`,
    // Coded as an input check's floor is, so a client words it in its own language rather than matching this text.
    [{ path: "amount", message: `must be at least ${floor}`, code: "too_small", params: floorParams }],
  );
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
 * the first call posted and its `points`, which the repeat's may differ from (a campaign edited between a crash and
 * the retry): what the customer holds is what the first call posted.
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
    const result = await postOne(
      tx,
      tenantId,
      id,
      { kind: "bonus", unit: "points", amount: input.points, key, reason: input.reason, actor },
      programme,
      now,
    );
    if (result.applied) return { ...result, points: input.points };
    const [first] = await tx.$queryRaw<{ amount: bigint }[]>`
      SELECT amount FROM ledger_movements WHERE tenant_id = ${tenantId} AND idempotency_key = ${key}`;
    return { ...result, points: exactNumber(first?.amount) };
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
 * never see points an admin took back. Id as the movement's other events are named; nothing for a replayed key. An
 * erased customer's goes out under a pseudonym, as the movement's other events do.
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
  await writeOutbox(tx, await pseudonymiseErasedCustomers(tx, events.map(outboxItem)));
}
