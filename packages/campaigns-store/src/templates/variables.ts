import type { ExpiryPolicy } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, sqlArray } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import {
  announcedInactivityExpiries,
  type InactivityClock,
  inactivityClocksOf,
  nextLotExpiries,
  pointsBalancesOf,
  qualifyingValues,
} from "@regulars/ledger-store";
import type { MessageVariables } from "@regulars/messaging";
import { programmeInForce } from "@regulars/programme";
import {
  effectiveTier,
  gapsToTiers,
  inactivityExpiry,
  localDate,
  tierProgress,
  tierWindowStart,
} from "@regulars/rules";

/** What the caller knows that the customer's rows do not: the coupon a step issued, the clock. */
export interface VariableExtras {
  coupon?: NonNullable<MessageVariables["coupon"]>;
  now?: Date;
}

/**
 * The variables a template is rendered with for one customer: the same for a preview in the admin app and
 * for a message a campaign queues, so what the marketer sees is what the customer gets. Null for a customer
 * the tenant does not have. An erased customer keeps an empty first name: templates then read "Hi ,"
 * rather than another person's data, and the message queue skips erased customers anyway.
 */
export async function customerMessageVariables(
  db: Db | DbTx,
  tenantId: string,
  customerId: string,
  extras: VariableExtras = {},
): Promise<MessageVariables | null> {
  return (await customersMessageVariables(db, tenantId, [customerId], extras)).get(customerId) ?? null;
}

interface CustomerRow {
  id: string;
  name: string | null;
  tier: string | null;
  tier_floor: string | null;
  tier_floor_until: Date | null;
}

/**
 * `customerMessageVariables` of many customers with a fixed number of statements (a broadcast's batch of
 * messages), by customer id; customers the tenant does not have are absent.
 */
export async function customersMessageVariables(
  db: Db | DbTx,
  tenantId: string,
  customerIds: readonly string[],
  extras: VariableExtras = {},
): Promise<Map<string, MessageVariables>> {
  const now = extras.now ?? new Date();
  const ids = [...new Set(customerIds)];
  const [rows, balances, tenant, programme] = await Promise.all([
    db.$queryRaw<CustomerRow[]>`
      SELECT c.id, c.name, l.tier, l.tier_floor, l.tier_floor_until
      FROM customers c
      LEFT JOIN customer_loyalty l ON l.customer_id = c.id
      WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${sqlArray(ids)}::text[])`,
    pointsBalancesOf(db, tenantId, ids),
    db.tenant.findUnique({ where: { id: tenantId }, select: { name: true } }),
    programmeInForce(db, tenantId, now),
  ]);
  if (!tenant || !programme) throw new DomainError("not_found", "no such tenant");
  const tiers = programme.config.tiers;
  const qualifying = new Map<string, number>();
  if (tiers && rows.length) {
    const since = tierWindowStart(tiers.window, now.toISOString(), programme.timezone) ?? new Date(0);
    const values = await qualifyingValues(
      db,
      tenantId,
      rows.map((r) => r.id),
      tiers.basis,
      since,
    );
    for (const v of values) qualifying.set(v.customer_id, exactNumber(v.value));
  }
  const policy = programme.config.expiry;
  const known = rows.map((r) => r.id);
  // Dated lots expire on their dates whatever the policy is now (an earlier `after_earning` version dated them),
  // so they count under every policy; under `inactivity` the whole balance also goes N months after the clock,
  // and the variables name whichever comes first, as the notice that may have triggered the message does.
  const [lots, clocks] = await Promise.all([
    nextLotExpiries(db, tenantId, known, programme.timezone, now),
    policy.kind === "inactivity"
      ? inactivityClocksOf(db, tenantId, known, { months: policy.months, timezone: programme.timezone })
      : Promise.resolve([]),
  ]);
  const inactive = await inactivityExpiries(db, tenantId, clocks, policy, programme.timezone, now);
  const expiring = earliestExpiries(lots, inactive);
  const out = new Map<string, MessageVariables>();
  for (const row of rows) {
    const [firstName = "", ...rest] = (row.name ?? "").trim().split(/\s+/).filter(Boolean);
    const floor = row.tier_floor && row.tier_floor_until ? { tier: row.tier_floor, until: row.tier_floor_until } : null;
    const tierId = tiers ? effectiveTier(tiers, row.tier, floor, now) : row.tier;
    const points: NonNullable<MessageVariables["points"]> = { balance: balances.get(row.id) ?? 0 };
    const next = expiring.get(row.id);
    if (next) {
      points.expiring = next.points;
      points.expiring_on = next.day;
    }
    let tierName: string | undefined;
    let tierGaps: Record<string, number> | undefined;
    if (tiers) {
      tierGaps = gapsToTiers(tiers, qualifying.get(row.id) ?? 0, tierId);
      const progress = tierProgress(tiers, qualifying.get(row.id) ?? 0, tierId);
      tierName = progress.tier.name;
      if (progress.next) {
        points.next_tier = progress.next.name;
        // The gap is in the tiers' own unit: only a programme that qualifies on points earned has "points to go".
        if (tiers.basis === "points_earned") points.to_next_tier = progress.next.gap;
      }
    }
    out.set(row.id, {
      customer: {
        first_name: firstName,
        ...(rest.length ? { last_name: rest.join(" ") } : {}),
        ...(tierName ? { tier: tierName } : {}),
      },
      points,
      tenant: { name: tenant.name },
      ...(extras.coupon ? { coupon: extras.coupon } : {}),
      ...(tierGaps && Object.keys(tierGaps).length ? { tier_gaps: tierGaps } : {}),
    });
  }
  return out;
}

/**
 * Per customer, the earlier of the next lot expiry and the inactivity expiry. On the same day the inactivity one:
 * it takes the whole balance, the lots of that day included.
 */
function earliestExpiries(lots: Map<string, Expiry>, inactive: Map<string, Expiry>): Map<string, Expiry> {
  const out = new Map(lots);
  for (const [id, e] of inactive) {
    const lot = out.get(id);
    if (!lot || e.day <= lot.day) out.set(id, e);
  }
  return out;
}

type Expiry = { points: number; day: string };

/**
 * Per customer holding points, the date their balance goes for inactivity: the date the clock's notice announced
 * once there is one (a notice first written late names a notice period ahead, not the N months, and `expirePoints`
 * waits for it), so the message says what the notice that triggered it said; before the notice, N months after
 * the clock. A past expiry not announced yet names nothing: its date is not fixed until it is.
 */
async function inactivityExpiries(
  db: Db | DbTx,
  tenantId: string,
  clocks: readonly InactivityClock[],
  policy: ExpiryPolicy,
  zone: string,
  now: Date,
): Promise<Map<string, Expiry>> {
  const held = clocks.filter((c) => exactNumber(c.balance) > 0);
  const announced = await announcedInactivityExpiries(db, tenantId, held);
  const out = new Map<string, Expiry>();
  for (const c of held) {
    const expiry = announced.get(c.customer_id) ?? inactivityExpiry(policy, c.clock_at.toISOString(), zone);
    if (expiry && expiry > now) {
      out.set(c.customer_id, { points: exactNumber(c.balance), day: localDate(expiry.toISOString(), zone) });
    }
  }
  return out;
}
