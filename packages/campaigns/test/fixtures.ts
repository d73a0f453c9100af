import { CampaignDefinition, type CampaignDefinitionInput, type DomainEvent } from "@regulars/contracts";
import type { CampaignVersion, PlanContext, PlanCustomer } from "../src/index.ts";

/** Every test's clock: a Friday morning in Warsaw, two days before clocks go forward (2024-03-31). */
export const NOW = new Date("2024-03-29T09:00:00.000Z");
export const WARSAW = "Europe/Warsaw";

export const hours = (n: number) => n * 3_600_000;
export const days = (n: number) => n * 86_400_000;
export const after = (ms: number, from: Date = NOW) => new Date(from.getTime() + ms);
export const iso = (ms: number, from: Date = NOW) => after(ms, from).toISOString();

export function definition(overrides: Partial<CampaignDefinitionInput> = {}): CampaignDefinition {
  return CampaignDefinition.parse({
    name: "Welcome",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [{ type: "issue_coupon", couponCampaignId: "cc_fries" }],
    ...overrides,
  });
}

export const campaign = (overrides: Partial<CampaignDefinitionInput> = {}, version = 1): CampaignVersion => ({
  id: "cmp_welcome",
  version,
  definition: definition(overrides),
});

/** A customer who registered with every consent: marketing and profiling on each channel. */
export const allGranted = (at: Date = after(-days(30))) =>
  (["push", "sms", "email"] as const).flatMap((channel) =>
    (["marketing", "profiling"] as const).map((purpose) => ({ channel, purpose, granted: true, occurredAt: at })),
  );

export const customer = (overrides: Partial<PlanCustomer> = {}): PlanCustomer => ({
  id: "cus_ada",
  consents: allGranted(),
  reachable: { push: true, sms: true, email: true },
  zone: WARSAW,
  ...overrides,
});

export const context = (overrides: Partial<PlanContext> = {}): PlanContext => ({
  occurrence: { key: "registered", at: NOW },
  now: NOW,
  zones: { tenant: WARSAW },
  previousSends: [],
  history: [],
  ...overrides,
});

const base = { tenantId: "ten_1", customerId: "cus_ada", occurredAt: NOW.toISOString() };

/** One event of each kind a campaign reacts to, with the fields a test may change. */
export const events = {
  customerCreated: (): DomainEvent => ({
    ...base,
    type: "customer.created",
    id: "customer.created:cus_ada",
    via: "app",
    fields: ["name"],
  }),
  sale: (customerId: string | null = "cus_ada", total = 2_500): DomainEvent => ({
    type: "transaction.processed",
    id: "tx:t1",
    tenantId: "ten_1",
    transactionId: "trx_1",
    externalId: "pos-1",
    kind: "sale",
    refundOf: null,
    occurredAt: NOW.toISOString(),
    locationId: "store-017",
    channel: "pos",
    customerId,
    currency: "EUR",
    total,
    discountTotal: 0,
    points: 25,
    lines: [],
  }),
  recorded: (eventType: string, properties: Record<string, unknown> = {}): DomainEvent => ({
    type: "event.recorded",
    id: `ev:${eventType}`,
    tenantId: "ten_1",
    eventId: "app-1",
    eventType,
    occurredAt: NOW.toISOString(),
    customerId: "cus_ada",
    locationId: null,
    channel: "app",
    properties,
  }),
  tierChanged: (to: string, direction: "up" | "down" = "up"): DomainEvent => ({
    ...base,
    type: "tier.changed",
    id: `tier:cus_ada:${to}:1`,
    from: "silver",
    to,
    direction,
    qualifyingValue: 500,
  }),
  milestone: (threshold: number, crossing = 1): DomainEvent => ({
    ...base,
    type: "points.milestone",
    id: `milestone:cus_ada:${threshold}:${crossing}`,
    threshold,
    balance: threshold + 3,
    crossing,
  }),
  /** Ada's qualifying value came within `within` of `tierId`'s threshold, as the ledger announces it. */
  tierGap: (tierId: string, within: number, value: number, crossing = 1, threshold = 500): DomainEvent => ({
    ...base,
    type: "tier.gap",
    id: `tier_gap:cus_ada:${tierId}:${within}:${crossing}`,
    tierId,
    within,
    threshold,
    value,
    gap: threshold - value,
    crossing,
    transactionId: "tx_1",
  }),
  expiring: (points: number, expiresAt: string): DomainEvent => ({
    ...base,
    type: "points.expiring",
    id: `expiring:cus_ada:${expiresAt}`,
    points,
    expiresAt,
  }),
  segmentEntered: (segmentId: string, refresh = 7): DomainEvent => ({
    ...base,
    type: "segment.entered",
    id: `segment.entered:${segmentId}:cus_ada:${refresh}`,
    segmentId,
    refresh,
  }),
};
