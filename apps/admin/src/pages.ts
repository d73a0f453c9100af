import type { Messages } from "@regulars/web-ui";
import type { ComponentType } from "react";
import { commonMessages } from "./messages.ts";

/** What a page folder declares about itself in `meta.ts`: where it lives and how the menu shows it. */
export interface PageMeta {
  /** Path under /app/, without a leading slash (`customers`); `""` is the landing page. */
  path: string;
  /** Key of the menu label in the page's own messages (namespace = the folder name). */
  navLabel: string;
  /** Menu position; lower comes first. */
  order: number;
  /** Pages shown to staff with these roles only; every role when absent. */
  roles?: StaffRole[];
  /** Pages with sub-routes (`customers/:id`) list them here; each must be exported by page.tsx's routes. */
  hideFromNav?: boolean;
}

export type StaffRole = "owner" | "marketer" | "operator" | "analyst";

export interface AdminPage extends PageMeta {
  name: string;
  /** The page's component, loaded when first visited so the first load stays small. */
  load: () => Promise<{ default: ComponentType }>;
}

// Every page is a folder under pages/ with meta.ts, messages.ts and page.tsx: adding a page touches nothing else.
const metas = import.meta.glob<PageMeta>("./pages/*/meta.ts", { eager: true, import: "meta" });
const messages = import.meta.glob<Messages>("./pages/*/messages.ts", { eager: true, import: "messages" });
const components = import.meta.glob<{ default: ComponentType }>("./pages/*/page.tsx");

const folderOf = (file: string) => file.split("/")[2]!;

export const pages: AdminPage[] = Object.entries(metas)
  .map(([file, meta]) => {
    const name = folderOf(file);
    const load = components[`./pages/${name}/page.tsx`];
    if (!load) throw new Error(`pages/${name} has meta.ts but no page.tsx`);
    return { ...meta, name, load };
  })
  .sort((a, b) => a.order - b.order);

export const allMessages: Record<string, Messages> = {
  common: commonMessages,
  ...Object.fromEntries(Object.entries(messages).map(([file, m]) => [folderOf(file), m])),
};
