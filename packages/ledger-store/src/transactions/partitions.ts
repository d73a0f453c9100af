import { type Db, exactNumber, type RawTx, sqlArray, withTransaction } from "@regulars/db";

/**
 * Partition leases and positions. A worker holds a partition while its lease runs (renewed every few
 * seconds); a dead worker's partitions are free again when its leases run out. The position (the last
 * stream sequence applied) moves in the same database transaction as the batch that applied it, after a
 * check that the worker still holds the partition, so a worker that lost its lease (a long pause, a
 * network split) can never apply anything twice or out of order.
 */

export interface PartitionLease {
  partition: number;
  appliedSeq: number;
}

/** The worker a batch is applied for: it must hold the batch's partitions; their leases run `leaseMs` from its commit. */
export interface PartitionGuard {
  namespace: string;
  worker: string;
  leaseMs: number;
  /**
   * The transactions stream the batch was read from (its creation time, see `adoptStream`). A position counted in
   * another stream refuses the batch (`StreamChangedError`): its sequences mean nothing there.
   */
  stream?: string;
}

/**
 * Creates the namespace's partition rows, and refuses a partition count that differs from the one in use. Processes
 * starting together take turns (an advisory lock for the namespace): counted apart, two counts would each find no
 * rows and both be written.
 */
export async function ensurePartitions(db: Db, namespace: string, partitions: number): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`ledger-partitions:${namespace}`}, 0))`;
    const existing = await tx.ledgerPartition.count({ where: { namespace } });
    if (existing > 0 && existing !== partitions) {
      throw new Error(
        `the ledger has ${existing} partitions in namespace ${namespace}, but LEDGER_PARTITIONS is ${partitions}: ` +
          "every gateway and ledger worker must use the same number (changing it means draining the ledger first)",
      );
    }
    await tx.$executeRaw`
      INSERT INTO ledger_partitions (namespace, partition)
      SELECT ${namespace}, p FROM generate_series(0, ${partitions - 1}::int) AS p
      ON CONFLICT DO NOTHING`;
  });
}

/**
 * Makes the namespace's positions count in the transactions stream created at `created` (JetStream's creation time
 * of the stream). A position recorded with another creation time is kept, and only the time recorded, unless
 * `madeAnew` says the stream contradicts the positions: a stream made anew (a lost store, a new cluster) numbers from
 * 1 again, its positions would lie ahead of its messages, and they go back to 0 so it is read from its start. The
 * creation time alone is no proof: some servers rewrite it on a stream update after a restart (nats-server#8470), and
 * reading a whole stream again would decide again what was decided. `madeAnew` is asked once the positions are locked,
 * so no batch moves them while the stream is looked at. A position with no stream yet (a new partition, or one recorded
 * before streams were told apart) is taken to be of this one. Returns the partitions read anew.
 */
export async function adoptStream(
  db: Db,
  namespace: string,
  created: string,
  madeAnew: (positions: Map<number, number>) => Promise<boolean>,
): Promise<number[]> {
  return withTransaction(db, async (tx) => {
    const other = await tx.$queryRaw<{ partition: number; applied_seq: bigint; stream_created: string | null }[]>`
      SELECT partition, applied_seq, stream_created FROM ledger_partitions
      WHERE namespace = ${namespace} AND stream_created IS DISTINCT FROM ${created}
      ORDER BY partition FOR UPDATE`;
    if (!other.length) return [];
    const counted = other.filter((r) => r.stream_created !== null);
    const positions = new Map(counted.map((r) => [r.partition, exactNumber(r.applied_seq)]));
    const anew = positions.size > 0 && (await madeAnew(positions));
    await tx.$executeRaw`
      UPDATE ledger_partitions
      SET stream_created = ${created}, updated_at = now(),
        applied_seq = CASE WHEN ${anew}::boolean AND stream_created IS NOT NULL THEN 0 ELSE applied_seq END
      WHERE namespace = ${namespace} AND partition = ANY(${sqlArray(other.map((r) => r.partition))}::int[])`;
    return anew ? counted.map((r) => r.partition) : [];
  });
}

/** Whether every position of the namespace counts in the stream created at `created` (or in none yet). */
export async function positionsCountIn(db: Db, namespace: string, created: string): Promise<boolean> {
  const other = await db.ledgerPartition.count({
    where: { namespace, streamCreated: { not: null }, NOT: { streamCreated: created } },
  });
  return other === 0;
}

/** Says this worker is alive; returns how many workers are (this one included). Forgets long-gone ones. */
export async function heartbeat(db: Db, namespace: string, worker: string, leaseMs: number): Promise<number> {
  await db.$executeRaw`
    INSERT INTO ledger_workers (namespace, worker, seen_at) VALUES (${namespace}, ${worker}, now())
    ON CONFLICT (namespace, worker) DO UPDATE SET seen_at = now()`;
  await db.$executeRaw`DELETE FROM ledger_workers WHERE namespace = ${namespace} AND seen_at < now() - make_interval(secs => ${(10 * leaseMs) / 1000})`;
  const [row] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM ledger_workers WHERE namespace = ${namespace} AND seen_at > now() - make_interval(secs => ${leaseMs / 1000})`;
  return Math.max(1, Number(row?.n ?? 1));
}

/**
 * A worker stopping cleanly gives its partitions back and stops counting as alive, so the others take its
 * share at once instead of after a lease period (a rolling restart would otherwise run on half the workers).
 */
export async function retireWorker(db: Db, namespace: string, worker: string): Promise<void> {
  await db.$executeRaw`
    UPDATE ledger_partitions SET holder = NULL, lease_until = NULL, updated_at = now()
    WHERE namespace = ${namespace} AND holder = ${worker}`;
  await db.$executeRaw`DELETE FROM ledger_workers WHERE namespace = ${namespace} AND worker = ${worker}`;
}

/**
 * Extends this worker's leases; returns the partitions it still holds (a lease that ran out may be gone), with
 * their positions. A partition whose position a batch of this worker has locked is passed over: waiting for it
 * would hold the other rows' locks meanwhile and stall this worker's other batches behind the renewal (seen as
 * half-second waits under load). That batch extends the lease itself when it commits (`advancePositions`), and
 * the partition is still returned as held.
 */
export async function renewLeases(
  db: Db,
  namespace: string,
  worker: string,
  leaseMs: number,
): Promise<PartitionLease[]> {
  const rows = await db.$queryRaw<{ partition: number; applied_seq: bigint }[]>`
    WITH free AS (
      SELECT partition FROM ledger_partitions
      WHERE namespace = ${namespace} AND holder = ${worker} AND lease_until > now()
      FOR UPDATE SKIP LOCKED
    ), renewed AS (
      UPDATE ledger_partitions p SET lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
      FROM free WHERE p.namespace = ${namespace} AND p.partition = free.partition
      RETURNING p.partition, p.applied_seq
    )
    SELECT partition, applied_seq FROM renewed
    UNION ALL
    SELECT partition, applied_seq FROM ledger_partitions
    WHERE namespace = ${namespace} AND holder = ${worker} AND lease_until > now()
      AND partition NOT IN (SELECT partition FROM free)`;
  return rows
    .map((r) => ({ partition: r.partition, appliedSeq: exactNumber(r.applied_seq) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Takes up to `count` partitions nobody holds (or whose lease ran out), lowest first, with their positions. */
export async function claimPartitions(
  db: Db,
  namespace: string,
  worker: string,
  count: number,
  leaseMs: number,
): Promise<PartitionLease[]> {
  if (count <= 0) return [];
  const rows = await db.$queryRaw<{ partition: number; applied_seq: bigint }[]>`
    UPDATE ledger_partitions p SET holder = ${worker}, lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
    FROM (
      SELECT partition FROM ledger_partitions
      WHERE namespace = ${namespace} AND (holder IS NULL OR lease_until IS NULL OR lease_until <= now())
      ORDER BY partition LIMIT ${count} FOR UPDATE SKIP LOCKED
    ) free
    WHERE p.namespace = ${namespace} AND p.partition = free.partition
    RETURNING p.partition, p.applied_seq`;
  return rows
    .map((r) => ({ partition: r.partition, appliedSeq: exactNumber(r.applied_seq) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Gives partitions back (at shutdown, or to make room for another worker): others can take them at once. */
export async function releasePartitions(
  db: Db,
  namespace: string,
  worker: string,
  partitions: number[],
): Promise<void> {
  if (!partitions.length) return;
  await db.$executeRaw`
    UPDATE ledger_partitions SET holder = NULL, lease_until = NULL, updated_at = now()
    WHERE namespace = ${namespace} AND holder = ${worker} AND partition = ANY(${sqlArray(partitions)}::int[])`;
}

export class LeaseLostError extends Error {
  constructor(
    readonly partitions: number[],
    message = `partitions ${partitions.join(", ")} are no longer held by this worker`,
  ) {
    super(message);
    this.name = "LeaseLostError";
  }
}

/** The batch was read from another stream than the one its partitions' positions now count in (made anew meanwhile). */
export class StreamChangedError extends LeaseLostError {
  constructor(partitions: number[]) {
    super(partitions, `the positions of partitions ${partitions.join(", ")} count in a transactions stream made anew`);
    this.name = "StreamChangedError";
  }
}

/**
 * Inside the batch's transaction, first: locks the positions of the partitions the batch comes from and
 * checks this worker still holds them (else `LeaseLostError`: nothing of the batch is applied). Returns
 * each partition's applied position, so messages at or below it (applied already) are skipped.
 */
export async function lockPositions(
  tx: RawTx,
  guard: Pick<PartitionGuard, "namespace" | "worker" | "stream">,
  partitions: number[],
): Promise<Map<number, number>> {
  const { namespace, worker, stream } = guard;
  const wanted = [...new Set(partitions)].sort((a, b) => a - b);
  const rows = await tx.$queryRaw<
    { partition: number; held: boolean; applied_seq: bigint; stream_created: string | null }[]
  >`
    SELECT partition, (holder IS NOT DISTINCT FROM ${worker} AND lease_until > now()) AS held, applied_seq, stream_created
    FROM ledger_partitions
    WHERE namespace = ${namespace} AND partition = ANY(${sqlArray(wanted)}::int[]) ORDER BY partition FOR UPDATE`;
  const lost = wanted.filter((p) => !rows.find((row) => row.partition === p)?.held);
  if (lost.length) throw new LeaseLostError(lost);
  const elsewhere = rows.filter(
    (r) => stream !== undefined && r.stream_created !== null && r.stream_created !== stream,
  );
  if (elsewhere.length) throw new StreamChangedError(elsewhere.map((r) => r.partition));
  return new Map(rows.map((r) => [r.partition, exactNumber(r.applied_seq)]));
}

/**
 * Inside the batch's transaction, last: moves each partition's position to the last sequence the batch applied,
 * and extends its lease (`lockPositions` checked it is held; `renewLeases` passes over a partition locked here).
 */
export async function advancePositions(
  tx: RawTx,
  guard: PartitionGuard,
  positions: Map<number, number>,
): Promise<void> {
  if (!positions.size) return;
  await tx.$executeRaw`
    UPDATE ledger_partitions p SET applied_seq = GREATEST(p.applied_seq, x.seq), updated_at = now(),
      lease_until = GREATEST(p.lease_until, now() + make_interval(secs => ${guard.leaseMs / 1000}))
    FROM unnest(${sqlArray([...positions.keys()])}::int[], ${sqlArray([...positions.values()])}::bigint[]) AS x(partition, seq)
    WHERE p.namespace = ${guard.namespace} AND p.partition = x.partition`;
}

/** Every partition's position, for backlog measurements (tests, benches, metrics). */
export async function partitionPositions(db: Db, namespace: string): Promise<Map<number, number>> {
  const rows = await db.ledgerPartition.findMany({
    where: { namespace },
    select: { partition: true, appliedSeq: true },
  });
  return new Map(rows.map((r) => [r.partition, exactNumber(r.appliedSeq)]));
}
