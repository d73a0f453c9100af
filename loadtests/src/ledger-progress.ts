import pg from "pg";

/**
 * How much of what the gateway accepted in this run the ledger still owes. Counted where the ledger's work
 * ends, in Postgres: transactions applied plus transactions rejected with a reason, for the bench's tenant,
 * against the count at the start. That holds however the ledger is organised (one durable consumer or
 * partitioned workers sharing partitions), where a consumer's backlog on the stream would not.
 */
export interface LedgerProgress {
  /** How the figure is obtained, for the report. */
  readonly source: string;
  /** Transactions of this run accepted but not yet applied (never negative). */
  owed(acceptedSoFar: number): Promise<number>;
  close(): Promise<void>;
}

/** Applied (processed or rejected) transactions of one tenant, from the ledger's own tables. */
export async function postgresLedgerProgress(databaseUrl: string, tenantId: string): Promise<LedgerProgress> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  const count = async () => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM transactions WHERE tenant_id = $1)
            + (SELECT count(DISTINCT external_id) FROM transaction_rejections WHERE tenant_id = $1) AS n`,
      [tenantId],
    );
    return Number(rows[0]!.n);
  };
  const atStart = await count();
  return {
    source: "Postgres: transactions applied or rejected for the tenant",
    owed: async (accepted) => Math.max(0, accepted - ((await count()) - atStart)),
    close: () => client.end(),
  };
}
