import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "staff", navLabel: "nav", order: 75, roles: ["owner"] };
