import { type Bus, transactionSubject } from "@regulars/bus";
import type { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";

type Sale = Pick<TransactionInput, "customer" | "type" | "refundOf" | "externalId" | "locationId">;

/**
 * Where the ledger stands, for a test that waited in vain for transactions to be applied: the stream's last
 * sequence and every partition's applied sequence and holder, and for each sale still missing, its partition and
 * whether the stream holds a later message of it than that partition applied (the partition lags) or not (the
 * sale was skipped or never stored). Compact: it goes into the failure's message, which is what a CI log keeps.
 */
export async function ledgerStanding(
  db: Db,
  bus: Bus,
  opts: { tenantId?: string; missing?: Sale[] } = {},
): Promise<string> {
  const { namespace, streams } = bus.topology;
  const partitions = await db.$queryRaw<
    { partition: number; holder: string | null; applied_seq: bigint; expired: boolean }[]
  >`
    SELECT partition, holder, applied_seq, lease_until < now() AS expired
    FROM ledger_partitions WHERE namespace = ${namespace} ORDER BY partition`;
  const stream = await bus.jsm.streams.info(streams.transactions);
  const holders = [...new Set(partitions.map((p) => p.holder).filter(Boolean))];
  const lines = [
    `stream: last sequence ${stream.state.last_seq}, ${stream.state.consumer_count} consumers`,
    `partitions (applied sequence, holder #): ${partitions
      .map(
        (p) =>
          `${p.partition}:${p.applied_seq}${p.holder ? `@${holders.indexOf(p.holder)}${p.expired ? " (lease expired)" : ""}` : " (none)"}`,
      )
      .join(" ")}`,
  ];
  const applied = new Map(partitions.map((p) => [p.partition, Number(p.applied_seq)]));
  for (const sale of (opts.missing ?? []).slice(0, 5)) {
    const subject = transactionSubject(bus.topology, opts.tenantId ?? "", sale);
    const partition = Number(subject.slice(`${namespace}.tx.p`.length).split(".")[0]);
    const last = await bus.jsm.streams
      .getMessage(streams.transactions, { last_by_subj: subject })
      .then((m) => (m ? String(m.seq) : "none"))
      .catch((e: Error) => `unknown (${e.message})`);
    lines.push(
      `missing ${sale.externalId}: on ${subject}, whose last message is ${last}; its partition applied ${applied.get(partition) ?? "?"}`,
    );
  }
  return lines.join("\n");
}
