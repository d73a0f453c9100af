import type { RawTx } from "@regulars/db";

/** An outbox item as `writeOutbox` takes it: a batch row (`outbox.batch`) carries its events in its payload. */
interface Written {
  type: string;
  payload: unknown;
}

interface TierChangePayload {
  type: "tier.changed";
  appliedAt?: string;
  appliedIndex?: number;
}

const batchType = "outbox.batch";

const isTierChange = (type: string, payload: unknown): payload is TierChangePayload =>
  type === "tier.changed" && typeof payload === "object" && payload !== null;

/** The tier changes among the items, batch rows' included, in the order they were written. */
function tierChangesOf(items: readonly Written[]): TierChangePayload[] {
  return items.flatMap((item) => {
    if (item.type === batchType) {
      const { events } = item.payload as { events: Written[] };
      return events.flatMap((e) => (isTierChange(e.type, e.payload) ? [e.payload] : []));
    }
    return isTierChange(item.type, item.payload) ? [item.payload] : [];
  });
}

/**
 * Stamps the tier changes about to be written to the outbox with the order the ledger applied them in (`appliedAt`,
 * `appliedIndex` of `TierChanged`), in place, so the copy the caller publishes after its commit and the one the relay
 * would publish are the same. Every writer of a tier (the ledger batch, the tier jobs, a floor, a merge) holds the
 * customer's lock from before it reads the tier until its commit, and writes its events meanwhile: the clock read
 * here is read after any earlier change of the customer committed, and before any later one can be made. The list's
 * order is the order of application within one write (a sale, then its refund in the same batch). The database's
 * clock, not the process's: the ledger workers, the jobs and the API run on different hosts. A change already
 * stamped (written again by a replay, which the outbox ignores) keeps its stamp.
 */
export async function stampAppliedOrder(tx: RawTx, items: readonly Written[]): Promise<void> {
  const changes = tierChangesOf(items).filter((c) => c.appliedAt === undefined);
  if (!changes.length) return;
  const [row] = await tx.$queryRaw<{ at: string }[]>`
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`;
  changes.forEach((change, index) => {
    change.appliedAt = row!.at;
    change.appliedIndex = index;
  });
}
