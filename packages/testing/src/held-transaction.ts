import { createDb, type Db, type DbTx } from "@regulars/db";
import { eventually } from "./eventually.ts";

export interface HeldTransaction {
  /** Runs `beforeCommit` (if given), commits, and closes the transaction's connection. */
  commit(): Promise<void>;
}

/**
 * A transaction on a connection of its own that takes its locks with `lock` and then stays open until `commit()`:
 * for tests of what waits for whom (a writer mid-batch, someone holding a customer's account). Resolves once the
 * locks are held.
 */
export async function holdTransaction(
  url: string,
  lock: (tx: DbTx) => Promise<unknown>,
  beforeCommit?: (tx: DbTx) => Promise<unknown>,
): Promise<HeldTransaction> {
  const db = createDb({ url, poolSize: 1 });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const transaction = db.$transaction(
    async (tx) => {
      await lock(tx);
      locked();
      await released;
      await beforeCommit?.(tx);
    },
    { timeout: 120_000 },
  );
  // A lock that fails ends the wait for it too.
  await Promise.race([isLocked, transaction]).catch(async (e) => {
    await db.$disconnect();
    throw e;
  });
  return {
    commit: async () => {
      release();
      try {
        await transaction;
      } finally {
        await db.$disconnect();
      }
    },
  };
}

/**
 * Races `write` against a transaction (a merge, say) that `hold` runs on a connection of its own: the transaction is
 * held open once `hold` has taken its locks and made its changes, `write` starts then (it still reads what the
 * transaction has not committed), and the transaction commits once `write` waits for one of its locks. Resolves to
 * what `write` returns, so a test sees where a write lands when the transaction commits under it. `observer` is a
 * client of the same database, used to see `write` waiting; `writer` names it in the timeout's message.
 */
export async function raceWithHeldTransaction<T>(
  url: string,
  observer: Db,
  hold: (tx: DbTx) => Promise<unknown>,
  write: () => Promise<T>,
  writer = "the write",
): Promise<T> {
  let heldPid = 0;
  const held = await holdTransaction(url, async (tx) => {
    heldPid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    await hold(tx);
  });
  const written = write();
  // Awaited below, after the commit: a write that fails while it waits must not go unhandled meanwhile.
  written.catch(() => undefined);
  try {
    await eventually(`${writer} to wait for the held transaction's lock`, async () => {
      const [row] = await observer.$queryRaw<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ${heldPid}::int = ANY(pg_blocking_pids(pid))`;
      return row && row.waiting > 0 ? true : undefined;
    });
  } finally {
    await held.commit();
  }
  return written;
}
