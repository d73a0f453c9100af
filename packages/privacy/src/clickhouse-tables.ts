/**
 * ClickHouse: `delete` removes the customer's rows; `pseudonymise` re-keys `customer_id` to a random
 * pseudonym, so the tenant's totals stay and nothing leads back to the person. A table whose sorting key holds
 * customer_id names its facts in `factKeys` of @regulars/analytics before it can be pseudonymised.
 *
 * A pseudonymised row must not name the person in another column either: `scrub` says which columns can, and erasure
 * rewrites them in the mutation that re-keys the row (see `eraseClickhouse`). What the other pseudonymised tables'
 * text columns hold, and why it stays: sales carry the till's ids, product names and codes; `loyalty_events.details`
 * the event's own fields (figures, dates, tier ids, a coupon's code and its source, a code such as `admin`), never the
 * reason an admin typed; `campaign_enrolments.occurrence` a trigger's name, an event id or a date the row's time
 * already gives (a birthday's, a last activity's); `message_events.code` a failure code, never the provider's reason.
 */
export type ClickHouseErasure = "delete" | "pseudonymise";

export interface ClickHouseTableRule {
  erase: ClickHouseErasure;
  why: string;
  /**
   * Columns of a pseudonymised table that may hold the person's data itself: erasure sets each named column to its
   * ClickHouse expression (of the old value; the same value again once scrubbed, so a second pass changes nothing).
   * Not a sorting-key column, and only in a table whose customer_id is not in the sorting key either (re-keyed in
   * place, not copied).
   */
  scrub?: { set: Record<string, string>; why: string };
}

/**
 * Scheme and host of a link: a template may put the customer's name, e-mail or phone anywhere in a link (query,
 * path, user info), so only the site stays, which campaign results may still count clicks by. The same cut as
 * Postgres's (`pgSiteOfLink`) and `siteOfLink` in @regulars/messaging: the user info ends at the last '@' before the
 * path. ClickHouse's domainRFC ends it at the first, so `https://ann@x.pl@shop.example/` kept `https://x.pl`.
 */
const clickhouseHostOf = (column: string) =>
  `extract(${column}, ${String.raw`'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#]*@)?(\[[^\]/?#]*\]|[^\]/?#:@\[]+)'`})`;
const siteOfLink = (column: string) =>
  `if(${clickhouseHostOf(column)} = '', '', concat(extract(${column}, '^([A-Za-z][A-Za-z0-9+.-]*://)'), ${clickhouseHostOf(column)}))`;

export const clickhouseTables: Record<string, ClickHouseTableRule> = {
  transactions: { erase: "pseudonymise", why: "sales and refunds: the tenant's revenue" },
  transaction_lines: { erase: "pseudonymise", why: "the tenant's product sales" },
  loyalty_events: { erase: "pseudonymise", why: "points and coupon figures of the dashboard" },
  events: { erase: "delete", why: "behaviour; properties may hold personal data" },
  customers: { erase: "delete", why: "segments' snapshot of the customer: birthday, consents (analytics 0003)" },
  campaign_enrolments: { erase: "pseudonymise", why: "campaign reach and control group figures (analytics 0006)" },
  message_events: {
    erase: "pseudonymise",
    why: "campaign message figures (analytics 0006)",
    scrub: {
      set: { url: siteOfLink("url") },
      why: "a clicked link as its template rendered it, which may hold the customer's name, e-mail or phone",
    },
  },
};
