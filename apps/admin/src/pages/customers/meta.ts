import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = {
  path: "customers",
  navLabel: "nav",
  order: 10,
  roles: ["owner", "marketer", "operator"],
};
