import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "dead-letters", navLabel: "nav", order: 85, roles: ["owner", "operator"] };
