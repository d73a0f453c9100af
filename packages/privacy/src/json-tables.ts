/**
 * Tables with a JSON column that holds nothing about a customer, and why. A customer reference inside JSON (a till's
 * message naming the customer by phone) has no column to find it by: `test/coverage.test.ts` fails for a table with
 * a JSON column that is neither classified in tables.ts nor named here.
 */
export const jsonWithoutCustomers: Record<string, string> = {
  tenants: "the tenant's frequency caps",
  programme_versions: "the earning programme's rules",
  coupon_campaigns: "a coupon campaign's settings, shared by every customer it issues to",
  segments: "a segment's conditions (tiers, spend, dates), never a customer",
  message_templates: "a template's text per language, before any customer is put into it",
  campaign_versions: "a campaign's definition: trigger, audience and steps",
};
