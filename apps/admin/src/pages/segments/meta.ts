import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "segments", navLabel: "nav", order: 40, roles: ["owner", "marketer", "analyst"] };
