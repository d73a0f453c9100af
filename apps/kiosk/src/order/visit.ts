/**
 * Where paying stands. From the hold until an outcome is on screen the order must not be cleared: the sale may
 * already be on its way, and a cleared screen would invite paying twice.
 */
export type PayStage =
  | "choosing"
  | "holding"
  | "posting"
  /** The gateway stored the sale; the ledger has not said what it earned yet. */
  | "received"
  /** Stored, and the ledger is taking long: the customer may go, staff can look the order up by its number. */
  | "receivedSlowly"
  /** The gateway never answered clearly whether it stored the sale: staff check by its number. */
  | "unconfirmed"
  /** Stored, then refused by the ledger: final, staff take it from here; paying again would not fix the reason. */
  | "notAccepted";

/**
 * How paying ended short of a receipt: the hold refused, the hold unanswered in time, the sale certainly not stored
 * (a gateway refusal, an error before posting), the sale perhaps stored, the sale stored and then rejected.
 */
export type PayShortfall = "holdRefused" | "holdTimedOut" | "notSent" | "unconfirmed" | "rejected";

/**
 * Where the customer goes next, and whether the hold kept from the reservation is voided. Only a sale that may
 * still commit it keeps it (voiding would keep its discount and spend nothing); a rejected sale never commits its
 * hold, so keeping it would only block the points and coupon until it expires. A hold whose answer never came has
 * no id yet: it is voided if the answer arrives late.
 */
export function afterShortfall(shortfall: PayShortfall): { stage: PayStage; voidHold: boolean } {
  switch (shortfall) {
    case "unconfirmed":
      return { stage: "unconfirmed", voidHold: false };
    case "rejected":
      return { stage: "notAccepted", voidHold: true };
    default:
      return { stage: "choosing", voidHold: true };
  }
}

/** Whether leaving (Cancel, the idle reset) must wait: the customer has nothing to act on yet. */
export const blocksLeaving = (stage: PayStage): boolean =>
  stage === "holding" || stage === "posting" || stage === "received";

/** Whether the customer may choose again and press Pay: only before anything was sent, or after a refusal. */
export const mayChoose = (stage: PayStage): boolean => stage === "choosing";

/**
 * Numbers each customer's visit, so work started for one (a hold, a sale, a poll) that finishes after the kiosk
 * was cleared is recognised as stale and drops its result instead of showing it to the next customer.
 */
export interface Visits {
  current(): number;
  /** Ends the visit in progress: anything holding its number is stale from now on. */
  next(): number;
  isCurrent(visit: number): boolean;
}

export function createVisits(): Visits {
  let current = 1;
  return {
    current: () => current,
    next: () => {
      current += 1;
      return current;
    },
    isCurrent: (visit) => visit === current,
  };
}
