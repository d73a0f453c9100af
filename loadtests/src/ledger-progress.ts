import pg from "pg";

/**
 * How much of what the gateway accepted in this run the ledger still owes, against the count at the start.
 * A running system's is counted where the ledger's work ends, in Postgres: transactions applied plus
 * transactions rejected with a reason, for the bench's tenant. That holds however the ledger is organised (one
 * durable consumer or partitioned workers sharing partitions), where a consumer's backlog on the stream would
 * not. A spawned system's is read from its ledger workers' counters, and checked once in Postgres at the end.
 */
export interface LedgerProgress {
  /** How the figure is obtained, for the report. */
  readonly source: string;
  /**
   * Transactions of this run accepted but not yet applied (never negative). `acceptedSoFar` is what the gateway
   * answered 202 in this run; a progress that counts the stream's stored messages itself does not need it.
   */
  owed(acceptedSoFar: number): Promise<number>;
  close(): Promise<void>;
}

/** The tenant's transactions the ledger has applied or rejected, from its own tables (a scan: count rarely). */
export async function appliedOrRejected(client: pg.ClientBase, tenantId: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM transactions WHERE tenant_id = $1)
          + (SELECT count(DISTINCT external_id) FROM transaction_rejections WHERE tenant_id = $1) AS n`,
    [tenantId],
  );
  return Number(rows[0]!.n);
}

/** Applied (processed or rejected) transactions of one tenant, from the ledger's own tables. */
export async function postgresLedgerProgress(databaseUrl: string, tenantId: string): Promise<LedgerProgress> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  const count = () => appliedOrRejected(client, tenantId);
  const atStart = await count();
  return {
    source: "Postgres: transactions applied or rejected for the tenant",
    owed: async (accepted) => Math.max(0, accepted - ((await count()) - atStart)),
    close: () => client.end(),
  };
}

/**
 * Messages a worker process has handled for `consumer`, from its Prometheus text: the sum of
 * `regulars_messages_processed_total` over every outcome (applied, rejected or dead-lettered all end a message).
 */
export function handledInMetrics(metricsText: string, consumer: string): number {
  let sum = 0;
  for (const line of metricsText.split("\n")) {
    const m = /^regulars_messages_processed_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (m && m[1]!.split(",").includes(`consumer="${consumer}"`)) sum += Number(m[2]);
  }
  return sum;
}

/** Messages the worker processes at `metricsUrls` have handled for `consumer`, from their `/metrics`. */
export async function handledByWorkers(metricsUrls: readonly string[], consumer = "ledger"): Promise<number> {
  const texts = await Promise.all(
    metricsUrls.map(async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return res.text();
    }),
  );
  return texts.reduce((sum, text) => sum + handledInMetrics(text, consumer), 0);
}

/**
 * A ledger's progress from its worker processes' own counters (`/metrics`, counted as each batch commits)
 * against the messages its stream has stored: exact, for a namespace the bench created (nothing else stored
 * there, nothing handled before). Reading them costs the ledger's Postgres nothing, where a count in Postgres is
 * a scan that grows with the drain: about 60 ms at 100k transactions, 6 % of Postgres's statement time in a 20 s
 * drain. Handled is read before stored, so what is owed is never under-read while a load still posts.
 */
export function workerMetricsLedgerProgress(opts: {
  /** Read at each count: workers started later are counted too. */
  metricsUrls: () => readonly string[];
  /** Messages stored on the transactions stream since it was created. */
  stored: () => Promise<number>;
  close?: () => Promise<void>;
}): LedgerProgress {
  return {
    source:
      "the ledger workers' own counters (/metrics: messages the ledger consumer handled, counted as each batch commits) against the messages stored on the stream",
    owed: async () => {
      const handled = await handledByWorkers(opts.metricsUrls());
      return Math.max(0, (await opts.stored()) - handled);
    },
    close: opts.close ?? (async () => {}),
  };
}
