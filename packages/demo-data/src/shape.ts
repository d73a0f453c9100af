export interface MenuItem {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly tags: readonly string[];
  readonly price: number;
}

/** What to generate. Everything derives from `seed` and the customer's index, so a run is repeatable. */
export interface DemoShape {
  customers: number;
  /** History length: orders and events fall in (now − days, now]. */
  days: number;
  seed: number;
  /** Epoch milliseconds; the history ends here. */
  now: number;
  /** The tenant's UTC offset in minutes (positive east): dayparts are local, instants are UTC. */
  utcOffsetMinutes: number;
  /** Locations store-001 .. store-NNN. */
  locations: number;
  menu: readonly MenuItem[];
  /** Index of the first customer: a second run for the same tenant goes on after the first one's customers. */
  firstIndex: number;
}

export const DAY_MS = 86_400_000;

export const dayparts = ["morning", "lunch", "afternoon", "evening", "night"] as const;
export type Daypart = (typeof dayparts)[number];

/** Local opening hours per daypart, as a quick-service restaurant sees them. */
export const daypartHours: Record<Daypart, readonly number[]> = {
  morning: [7, 8, 9, 10],
  lunch: [11, 12, 13, 14],
  afternoon: [15, 16, 17],
  evening: [18, 19, 20, 21],
  night: [22, 23],
};

export const channels = ["kiosk", "pos", "app", "delivery"] as const;
export type DemoChannel = (typeof channels)[number];

export const locationOf = (index: number): string => `store-${String(index + 1).padStart(3, "0")}`;
