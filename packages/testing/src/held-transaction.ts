import { createDb, type DbTx } from "@regulars/db";

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
