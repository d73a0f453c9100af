import type { Basket } from "./baskets.ts";

/** A `POST /v1/transactions/batch` body of `size` new baskets, as a till uploading its offline sales sends it. */
export function batchBody(nextBasket: () => Basket, size: number): string {
  return JSON.stringify({ transactions: Array.from({ length: size }, nextBasket) });
}

/** How many transactions a batch answer says were stored now (`accepted`); 0 for anything else. */
export function acceptedInBatchAnswer(body: string): number {
  try {
    const accepted = (JSON.parse(body) as { accepted?: unknown } | null)?.accepted;
    return typeof accepted === "number" && Number.isInteger(accepted) && accepted >= 0 ? accepted : 0;
  } catch {
    return 0;
  }
}
