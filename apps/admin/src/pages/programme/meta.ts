import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "programme", navLabel: "nav", order: 20, roles: ["owner", "marketer"] };
