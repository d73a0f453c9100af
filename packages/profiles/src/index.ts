export { type Affinity, affinityShare, lineQuantities, tagAffinities } from "./affinities.ts";
export { DAYPARTS, type Daypart, daypartOf, daypartOfHour, localHour } from "./daypart.ts";
export { factsAsOf, type OrderFact, orderFactsAsOf } from "./facts.ts";
export { type CustomerOrderFact, orderFactOf } from "./from-transaction.ts";
export { favouriteLocation, locationVisits, preferredChannel, preferredDaypart, tallySales } from "./preferences.ts";
export { type BehaviourProfile, behaviourProfile } from "./profile.ts";
export {
  daysSince,
  type Quintiles,
  quintileBoundaries,
  type Rfm,
  type RfmBoundaries,
  rfmOf,
  scoreHigherBetter,
  scoreLowerBetter,
} from "./rfm.ts";
export {
  averageTicket,
  orderSpan,
  WINDOW_DAYS,
  type WindowName,
  type Windows,
  type WindowTotals,
  windowTotals,
} from "./windows.ts";
