import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "brand", navLabel: "nav", order: 78, roles: ["owner", "marketer"] };
