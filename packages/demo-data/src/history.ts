import type { BehaviouralEventFact, TransactionFact } from "@regulars/analytics";
import { newId } from "@regulars/ids";
import { type DemoCustomer, orderCount } from "./customer.ts";
import { customerRandom, pick, pickWeighted, type Random } from "./random.ts";
import { DAY_MS, type Daypart, type DemoShape, daypartHours, dayparts, type MenuItem } from "./shape.ts";

export interface DemoHistory {
  transactions: TransactionFact[];
  events: BehaviouralEventFact[];
}

const lineCountWeights = [0.35, 0.3, 0.2, 0.1, 0.05];
const quantityWeights = [0.75, 0.2, 0.05];

/** The local hour of an order: mostly the customer's usual daypart, sometimes any other. */
function orderHour(usual: Daypart, random: Random): number {
  const daypart = random() < 0.6 ? usual : pickWeighted(dayparts, (d) => (d === "lunch" ? 3 : 1), random);
  return pick(daypartHours[daypart], random);
}

function basketLines(customer: DemoCustomer, menu: readonly MenuItem[], random: Random): TransactionFact["lines"] {
  const count = pickWeighted([1, 2, 3, 4, 5], (n) => lineCountWeights[n - 1]!, random);
  const liked = (item: MenuItem) => (item.tags.some((t) => customer.habits.likes.includes(t)) ? 4 : 1);
  const chosen = new Set<MenuItem>();
  for (let i = 0; i < count * 2 && chosen.size < count; i++) chosen.add(pickWeighted(menu, liked, random));
  return [...chosen].map((item, lineNo) => {
    const quantity = pickWeighted([1, 2, 3], (q) => quantityWeights[q - 1]!, random);
    return {
      lineNo,
      sku: item.sku,
      name: item.name,
      category: item.category,
      tags: [...item.tags],
      quantity,
      unitPrice: item.price,
      discount: 0,
      amount: quantity * item.price,
    };
  });
}

/**
 * A customer's orders and app events, in time order. Orders fall on random days of their active span at a
 * local hour of their usual daypart, mostly at their favourite stores and through their usual channel; one
 * order in a hundred is refunded the next day. App customers open the app around their orders and now and then
 * leave feedback or follow a message. Orders and refunds carry no points: seeded customers have earned none.
 */
export function generateHistory(
  customer: DemoCustomer,
  customerId: string,
  tenantId: string,
  shape: DemoShape,
): DemoHistory {
  const random = customerRandom(shape.seed ^ 0x5bd1e995, customer.index);
  const start = Math.max(customer.createdAt, shape.now - shape.days * DAY_MS);
  const span = Math.max(0, customer.habits.activeUntil - start);
  const offsetMs = shape.utcOffsetMinutes * 60_000;
  const transactions: TransactionFact[] = [];
  const events: BehaviouralEventFact[] = [];
  const orders = orderCount(customer, shape, random);
  const times: number[] = [];
  for (let i = 0; i < orders; i++) {
    const day = Math.floor((start + random() * span + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
    const at = day + orderHour(customer.habits.daypart, random) * 3_600_000 + Math.floor(random() * 3_600_000);
    if (at > customer.createdAt && at <= shape.now) times.push(at);
  }
  times.sort((a, b) => a - b);
  for (const at of times) {
    const [favourite, second] = customer.habits.favouriteLocations;
    const r = random();
    const locationId =
      r < 0.6
        ? favourite
        : r < 0.85
          ? second
          : `store-${String(1 + Math.floor(random() * shape.locations)).padStart(3, "0")}`;
    const channel = random() < 0.8 ? customer.habits.channel : random() < 0.5 ? "kiosk" : "pos";
    const lines = basketLines(customer, shape.menu, random);
    const total = lines.reduce((sum, l) => sum + l.amount, 0);
    const sale: TransactionFact = {
      tenantId,
      transactionId: newId("transaction"),
      externalId: `demo-${shape.seed}-${customer.index}-${transactions.length}`,
      type: "sale",
      refundOf: null,
      occurredAt: new Date(at).toISOString(),
      locationId,
      channel,
      customerId,
      currency: "EUR",
      total,
      discountTotal: 0,
      // No ledger is seeded (customers start at 0 points) and the dashboard counts points given from the loyalty
      // events but points taken back from refunds' facts: points here would be taken back without ever being given.
      points: 0,
      lines,
    };
    transactions.push(sale);
    if (random() < 0.01 && at + DAY_MS <= shape.now) {
      transactions.push({
        ...sale,
        transactionId: newId("transaction"),
        externalId: `${sale.externalId}-refund`,
        type: "refund",
        refundOf: sale.transactionId,
        occurredAt: new Date(at + DAY_MS).toISOString(),
      });
    }
    if (customer.app) events.push(...appEvents(customer, customerId, tenantId, at, locationId, shape.now, random));
  }
  return { transactions, events };
}

function appEvents(
  customer: DemoCustomer,
  customerId: string,
  tenantId: string,
  orderAt: number,
  locationId: string,
  now: number,
  random: Random,
): BehaviouralEventFact[] {
  const event = (type: string, at: number, properties: Record<string, unknown>): BehaviouralEventFact => ({
    tenantId,
    eventId: newId("event"),
    type,
    occurredAt: new Date(at).toISOString(),
    customerId,
    locationId: type === "feedback_submitted" ? locationId : null,
    channel: "app",
    properties,
  });
  const out = [event("app_opened", orderAt - Math.floor(random() * 3_600_000), { screen: "home" })];
  if (random() < 0.3) out.push(event("menu_viewed", orderAt - Math.floor(random() * 1_800_000), { screen: "menu" }));
  if (random() < 0.1) out.push(event("push_opened", orderAt - Math.floor(random() * DAY_MS), { campaign: "weekly" }));
  if (random() < 0.05)
    out.push(event("feedback_submitted", orderAt + 3_600_000, { rating: 1 + Math.floor(random() * 5) }));
  return out.filter((e) => Date.parse(e.occurredAt) > customer.createdAt && Date.parse(e.occurredAt) <= now);
}
