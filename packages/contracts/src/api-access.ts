import type { knownEventTypes } from "./event.ts";
import { type ApiKeyRole, Channel } from "./primitives.ts";

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
  admin: { allowed: Channel.options, whenOmitted: null },
  analyst: { allowed: [], whenOmitted: null },
} as const satisfies Record<ApiKeyRole, { allowed: readonly Channel[]; whenOmitted: Channel | null }>;

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
  const key = `${/^[aeiou]/.test(role) ? "an" : "a"} ${role} key`;
  const customerOwn = (customerOwnEventTypes as readonly string[]).includes(event.type);
  if (customerOwn && !rolesPostingCustomerOwnEvents.includes(role))
    return {
      code: "event_type_not_allowed",
      message: `${key} cannot post ${event.type}, the customer's own doing in the brand app: it needs an app or admin key`,
    };
  const allowed: readonly Channel[] = eventChannelsOfRole[role].allowed;
  if (event.channel != null && !allowed.includes(event.channel))
    return {
      code: "channel_not_allowed",
      message: `${key} posts events of channel ${allowed.join(" or ") || "none"} only, not ${event.channel}`,
    };
  return null;
}

/** The event as a key of this role posted it: without a channel, the key's own (none for an admin key). */
export function withPostersChannel<E extends { channel?: Channel | null | undefined }>(role: ApiKeyRole, event: E): E {
  if (event.channel != null) return event;
  const channel = eventChannelsOfRole[role].whenOmitted;
  return channel === null ? event : { ...event, channel };
}
