import { emailLocalPart, firstNames, lastNames } from "./names.ts";
import { customerRandom, pick, pickWeighted, poisson, type Random } from "./random.ts";
import { channels, DAY_MS, type Daypart, type DemoChannel, type DemoShape, dayparts, locationOf } from "./shape.ts";

export type ConsentChannel = "push" | "sms" | "email";
export type ConsentPurpose = "marketing" | "profiling";

/** Who a demo customer is and how they behave; their orders and events are drawn from this. */
export interface DemoCustomer {
  index: number;
  name: string;
  email: string | null;
  phone: string;
  /** YYYY-MM-DD, or null when they never gave it. */
  dateOfBirth: string | null;
  createdAt: number;
  /** Signed up in the brand's app (with an external identity); the others are till customers known by phone. */
  app: { provider: "apple" | "google"; subject: string; registeredAt: number } | null;
  consents: { channel: ConsentChannel; purpose: ConsentPurpose; granted: boolean }[];
  habits: {
    ordersPerMonth: number;
    /** Orders stop here: a customer who stopped coming. */
    activeUntil: number;
    favouriteLocations: [string, string];
    daypart: Daypart;
    channel: DemoChannel;
    likes: string[];
  };
}

/** Polish mobile numbers, distinct for every index below 400,000,000 (7919 is coprime with the range). */
export const phoneOf = (index: number): string => `+48${500_000_000 + ((index * 7919 + 13) % 400_000_000)}`;

// Quick-service visits are very uneven: many one-off guests, a few regulars who carry the revenue.
const activityLevels = [
  { share: 0.4, ordersPerMonth: 0.1 },
  { share: 0.35, ordersPerMonth: 0.4 },
  { share: 0.2, ordersPerMonth: 1.2 },
  { share: 0.05, ordersPerMonth: 3.5 },
];
const tastes = [
  { tag: "vegetarian", share: 0.25 },
  { tag: "spicy", share: 0.15 },
  { tag: "alcohol", share: 0.1 },
  { tag: "hot", share: 0.2 },
];

/**
 * Profiling is asked beside marketing on each channel (the app's consent screen, the till's sign-up form): most who
 * accept offers on a channel also accept that the offers are chosen from what they buy, a few accept profiling alone.
 * Without it on a channel, a campaign to a segment that reads behaviour skips the customer there.
 */
const profilingShare: Record<ConsentChannel, { withMarketing: number; without: number }> = {
  push: { withMarketing: 0.8, without: 0.05 },
  email: { withMarketing: 0.7, without: 0.05 },
  sms: { withMarketing: 0.6, without: 0.05 },
};

function consentsOf(app: boolean, random: Random): DemoCustomer["consents"] {
  const marketing: [ConsentChannel, number][] = [
    ["push", app ? 0.7 : 0],
    ["email", app ? 0.5 : 0.1],
    ["sms", app ? 0.3 : 0.2],
  ];
  return marketing
    .filter(([, p]) => p > 0)
    .flatMap(([channel, p]) => {
      const granted = random() < p;
      const share = profilingShare[channel];
      const profiling = random() < (granted ? share.withMarketing : share.without);
      return [
        { channel, purpose: "marketing" as const, granted },
        { channel, purpose: "profiling" as const, granted: profiling },
      ];
    });
}

function dateOfBirth(now: number, random: Random): string {
  const age = 16 + Math.floor(random() * 50);
  const day = new Date(now - age * 365.25 * DAY_MS - Math.floor(random() * 365) * DAY_MS);
  return day.toISOString().slice(0, 10);
}

export function generateCustomer(shape: DemoShape, offset: number): DemoCustomer {
  const index = shape.firstIndex + offset;
  const random = customerRandom(shape.seed, index);
  const first = pick(firstNames, random);
  const last = pick(lastNames, random);
  // Older customers outnumber new ones; some joined before the history starts.
  const createdAt = shape.now - Math.floor(random() ** 0.7 * shape.days * 1.2 * DAY_MS) - 60_000;
  const isApp = random() < 0.5;
  const level = pickWeighted(activityLevels, (l) => l.share, random);
  const churned = random() < 0.3;
  const start = Math.max(createdAt, shape.now - shape.days * DAY_MS);
  const favourite = Math.floor(random() ** 2 * shape.locations);
  return {
    index,
    name: `${first} ${last}`,
    email: random() < 0.6 ? `${emailLocalPart(first, last)}${index}@example.com` : null,
    phone: phoneOf(index),
    dateOfBirth: random() < 0.5 ? dateOfBirth(shape.now, random) : null,
    createdAt,
    app: isApp
      ? {
          provider: random() < 0.6 ? "apple" : "google",
          subject: `demo-${shape.seed}-${index}`,
          registeredAt: createdAt,
        }
      : null,
    consents: consentsOf(isApp, random),
    habits: {
      ordersPerMonth: level.ordersPerMonth * (0.5 + random()),
      activeUntil: churned ? start + Math.floor(random() * (shape.now - start)) : shape.now,
      favouriteLocations: [locationOf(favourite), locationOf(Math.floor(random() * shape.locations))],
      daypart: pickWeighted(dayparts, (d) => (d === "lunch" ? 3 : d === "night" ? 0.5 : 1.5), random),
      channel: pickWeighted(channels, (c) => (c === "kiosk" ? 4 : c === "pos" ? 3 : isApp ? 2 : 0.5), random),
      likes: tastes.filter((t) => random() < t.share).map((t) => t.tag),
    },
  };
}

/** How many orders a customer places over their active span (a Poisson draw on their monthly rate). */
export function orderCount(customer: DemoCustomer, shape: DemoShape, random: Random): number {
  const start = Math.max(customer.createdAt, shape.now - shape.days * DAY_MS);
  const activeDays = Math.max(0, customer.habits.activeUntil - start) / DAY_MS;
  return poisson((customer.habits.ordersPerMonth * activeDays) / 30, random);
}
