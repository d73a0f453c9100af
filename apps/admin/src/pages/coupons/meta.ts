import type { PageMeta } from "../../pages.ts";

/** Operators look campaigns up (a customer asks about a code); owners and marketers change them. */
export const meta: PageMeta = {
  path: "coupons",
  navLabel: "nav",
  order: 30,
  roles: ["owner", "marketer", "operator"],
};
