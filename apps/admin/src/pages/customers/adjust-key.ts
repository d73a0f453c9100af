/** What an adjustment the admin submits says; a change of any of it is another adjustment. */
export interface AdjustValues {
  customerId: string;
  unit: "points" | "wallet";
  amount: number;
  reason: string;
}

/** The idempotency key the form last sent, with what it was sent for. */
export interface AdjustKey {
  key: string;
  values: AdjustValues;
}

const sameValues = (a: AdjustValues, b: AdjustValues) =>
  a.customerId === b.customerId && a.unit === b.unit && a.amount === b.amount && a.reason === b.reason;

// Not crypto.randomUUID: that exists in secure contexts only, and the admin may be served over plain http on a LAN.
const randomKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * The key to send a submission under. The same values as the last submission keep its key: that one may have been
 * applied though its answer was lost, and resubmitting it under the key answers what it did instead of adjusting
 * twice; so does a form edited and then put back as it was (retyping the amount is not a new adjustment). Other values
 * take a fresh key: the server refuses a key reused for another adjustment. After a success the form forgets its key
 * (`last` is null): the same values submitted again are a second adjustment, meant as such.
 */
export function adjustKeyFor(last: AdjustKey | null, values: AdjustValues, fresh: () => string = randomKey): AdjustKey {
  return last && sameValues(last.values, values) ? last : { key: fresh(), values };
}
