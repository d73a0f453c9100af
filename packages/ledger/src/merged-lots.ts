/**
 * The key of a movement of a customer merge: `merge:<merged customer>:<out|in>:<what>`, where a lot moved whole
 * names the lot's key (`lot:<key>`), so the lot it opens on the survivor is known by where it came from.
 */
export const mergeKey = (fromId: string, side: "in" | "out", what: string): string => `merge:${fromId}:${side}:${what}`;

const MOVED_LOT = /^merge:[^:]+:in:lot:/;

/**
 * The key of the credit that first opened a lot, through every merge that moved it (`mergeKey`): a refund of a sale
 * names the sale's lot by its own key, and a merge re-keyed it on the survivor (again at each later merge).
 */
export function originalLotKey(key: string): string {
  let k = key;
  for (let moved = MOVED_LOT.exec(k); moved; moved = MOVED_LOT.exec(k)) k = k.slice(moved[0].length);
  return k;
}
