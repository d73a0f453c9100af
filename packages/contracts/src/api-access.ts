import type { ApiKeyRole } from "./primitives.ts";

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
