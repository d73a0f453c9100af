import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "sql", navLabel: "nav", order: 80, roles: ["owner", "analyst"] };
