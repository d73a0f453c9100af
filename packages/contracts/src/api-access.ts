import type { knownEventTypes } from "./event.ts";
import type { ApiKeyRole, Channel } from "./primitives.ts";

const adminOnly = ["admin"] as const;
const adminsAndAnalysts = ["admin", "analyst"] as const;

/**
 * Which API roles may do what the admin app offers. The procedures behind each action admit exactly these roles
 * (`allowedTo(action)` in packages/procedures), and the admin app's `may()` shows a control by the same entry, so a
 * control is shown exactly to those whose call would not be refused. A signed-in owner, marketer or operator acts
 * with the admin role, an analyst with the analyst role; pos and kiosk keys are tills and do none of this.
 */
export const rolesAllowedTo = {
  /** `customers.search`, `profile`, `consentHistory`: analysts never read personal data. */
  readCustomers: adminOnly,
  /** `customers.adjust`, `setTierFloor`, `register`, `updateProfile`, `setConsents`, `privacy.*`. */
  changeCustomers: adminOnly,
  /** `programme.get`, `versions`, `version`, the lists of tiers, rules and rewards. */
  readProgramme: adminOnly,
  /** `programme.*` writes: tiers, rules, rewards, settings, cancelling a scheduled version. */
  changeProgramme: adminOnly,
  /** `segments.list`, `get`, `members`, `preview`. */
  readSegments: adminsAndAnalysts,
  /** `segments.create`/`update` with SQL: analysts their own SQL segments only. */
  writeSqlSegments: adminsAndAnalysts,
  /** `segments.create`/`update`/`preview` with a definition, and pausing or resuming a segment. */
  writeSegmentDefinitions: adminOnly,
  /** `segments.refresh`. */
  refreshSegments: adminOnly,
  /** `campaigns.list`, `get`, `versions`, `results`, `templates.list`/`get`, `messages.list`. */
  readCampaigns: adminsAndAnalysts,
  /** `campaigns.create`/`update`/status moves, `templates.create`/`update`/`archive`/`preview`. */
  changeCampaigns: adminOnly,
  /** `coupons.*`: coupon campaigns, their codes and issuing them. */
  changeCoupons: adminOnly,
  /** `analytics.sql`, `sqlTables`, `analytics.dashboard.*`. */
  readAnalytics: adminsAndAnalysts,
} as const satisfies Record<string, readonly ApiKeyRole[]>;

export type ApiAction = keyof typeof rolesAllowedTo;

/** Whether a credential of this role may do `action`. */
export const roleMay = (role: ApiKeyRole, action: ApiAction): boolean =>
  (rolesAllowedTo[action] as readonly ApiKeyRole[]).includes(role);

/**
 * Which channels each key's `POST /v1/events` may name, and the one filled in when it names none. Action rules pay
 * by an event's channel, so the channel is the key's, never the poster's word: a till is the pos channel, a kiosk
 * the kiosk channel, the brand's backend its app or web shop; an admin key may record any (a correction, an import).
 */
export const eventChannelsOfRole = {
  pos: { allowed: ["pos"], whenOmitted: "pos" },
  kiosk: { allowed: ["kiosk"], whenOmitted: "kiosk" },
  app: { allowed: ["app", "web"], whenOmitted: "app" },
  admin: { allowed: ["kiosk", "pos", "app", "web", "delivery"], whenOmitted: null },
  analyst: { allowed: [], whenOmitted: null },
} as const satisfies Record<ApiKeyRole, { allowed: readonly Channel[]; whenOmitted: Channel | null }>;

/**
 * Which channels each key's sales and refunds may name (`POST /v1/transactions` and its batch). Earning rules may pay
 * by channel (an app-only bonus). A kiosk is a device anyone stands at: its key posts the kiosk's own sales only, so
 * one lifted from it cannot pass sales off as the app's. A pos key is a till's or an ordering integration's (a delivery
 * platform, the brand's online ordering: the integrators that post transactions): it records the orders of every
 * channel it takes. Only those two roles post transactions.
 */
export const transactionChannelsOfRole = {
  pos: ["pos", "app", "web", "delivery"],
  kiosk: ["kiosk"],
  app: [],
  admin: [],
  analyst: [],
} as const satisfies Record<ApiKeyRole, readonly Channel[]>;

const keyOfRole = (role: ApiKeyRole) => `${/^[aeiou]/.test(role) ? "an" : "a"} ${role} key`;

/**
 * Why a key of this role may not post `what` (events, transactions) of this channel, or `null` when it may;
 * `allowed` says which it may, for a refusal's field issue.
 */
export function channelRefusal(
  role: ApiKeyRole,
  channel: Channel | null | undefined,
  what: "events" | "transactions",
): { code: "channel_not_allowed"; message: string; allowed: readonly Channel[] } | null {
  const allowed: readonly Channel[] =
    what === "events" ? eventChannelsOfRole[role].allowed : transactionChannelsOfRole[role];
  if (channel == null || allowed.includes(channel)) return null;
  const only = allowed.join(" or ") || "none";
  return {
    code: "channel_not_allowed",
    message: `${keyOfRole(role)} posts ${what} of channel ${only} only, not ${channel}`,
    allowed,
  };
}

/**
 * Events only the customer causes, in the brand's app or by opening a message: a till or kiosk never sees them
 * happen, so only the app's backend and admins post them (a kiosk key posting `profile_completed` would pay its
 * action points and fire its campaign for anyone).
 */
export const customerOwnEventTypes = [
  "profile_completed",
  "push_opened",
  "push_clicked",
  "email_opened",
  "email_clicked",
  "sms_clicked",
] as const satisfies readonly (typeof knownEventTypes)[number][];
const rolesPostingCustomerOwnEvents: readonly ApiKeyRole[] = ["app", "admin"];

/** Why a key of this role may not post an event of this type and channel, or `null` when it may. */
export function eventRefusal(
  role: ApiKeyRole,
  event: { type: string; channel?: Channel | null | undefined },
): { code: "event_type_not_allowed" | "channel_not_allowed"; message: string } | null {
  const customerOwn = (customerOwnEventTypes as readonly string[]).includes(event.type);
  if (customerOwn && !rolesPostingCustomerOwnEvents.includes(role))
    return {
      code: "event_type_not_allowed",
      message: `${keyOfRole(role)} cannot post ${event.type}, the customer's own doing in the brand app: it needs an app or admin key`,
    };
  const refused = channelRefusal(role, event.channel, "events");
  return refused && { code: refused.code, message: refused.message };
}

/** The event as a key of this role posted it: without a channel, the key's own (none for an admin key). */
export function withPostersChannel<E extends { channel?: Channel | null | undefined }>(role: ApiKeyRole, event: E): E {
  if (event.channel != null) return event;
  const channel = eventChannelsOfRole[role].whenOmitted;
  return channel === null ? event : { ...event, channel };
}
