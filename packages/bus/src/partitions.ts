/**
 * The ledger's partitions: transactions are spread over a fixed number of them by a stable hash of the
 * tenant and the partition key (the customer), each partition is applied strictly in stream order by one
 * ledger worker at a time, and the workers share the partitions. The number is a deployment constant:
 * the gateway and every ledger worker must use the same one (changing it means draining first).
 */
export const DEFAULT_PARTITIONS = 16;
export const MAX_PARTITIONS = 1_024;

/** FNV-1a (32 bit): stable across processes, versions and machines, and cheap on the request path. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function partitionOf(tenantId: string, key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RangeError(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
  }
  return fnv1a(`${tenantId}\u0000${key}`) % partitions;
}
