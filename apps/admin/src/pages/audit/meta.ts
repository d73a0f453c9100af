import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "audit", navLabel: "nav", order: 90, roles: ["owner", "operator"] };
