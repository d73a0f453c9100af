import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "campaigns", navLabel: "nav", order: 50, roles: ["owner", "marketer"] };
