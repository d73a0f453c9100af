import type { PageMeta } from "../../pages.ts";

// Staff who act as admins (not analysts): `locations.set` is an admin procedure, as the programme's settings are.
export const meta: PageMeta = {
  path: "locations",
  navLabel: "nav",
  order: 77,
  roles: ["owner", "marketer", "operator"],
};
