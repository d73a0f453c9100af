import type { ReactNode } from "react";
import { Link } from "react-router";

/** A list row's name, linking to the item's own page: one look for every list's first column. */
export function ItemLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link to={to} className="font-medium text-emerald-800 underline">
      {children}
    </Link>
  );
}
