import type { Db } from "./client.ts";

type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbTx = TxClient;

const pgCodeOf = (e: unknown): string | undefined => {
  const err = e as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } }; cause?: { code?: string; originalCode?: string } };
  return err?.meta?.driverAdapterError?.cause?.originalCode ?? err?.cause?.originalCode ?? err?.cause?.code ?? err?.code;
};

export const isUniqueViolation = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  return code === "23505" || code === "P2002";
};

/** Serialization failures and deadlocks are safe to retry: Postgres rolled the whole transaction back. */
export const isRetryableConflict = (e: unknown): boolean => {
  const code = pgCodeOf(e);
  return code === "40001" || code === "40P01" || code === "P2034";
};

/** Run `fn` in one database transaction, retrying when Postgres reports a serialization conflict. */
export async function withTransaction<T>(db: Db, fn: (tx: DbTx) => Promise<T>, opts: { attempts?: number; timeoutMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { timeout: opts.timeoutMs ?? 60_000, maxWait: 30_000 });
    } catch (e) {
      if (attempt >= attempts || !isRetryableConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    }
  }
}
