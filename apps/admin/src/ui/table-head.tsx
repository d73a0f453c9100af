import type { ReactNode } from "react";

/**
 * The header row of a small fixed table (results, a profile, a basket) whose rows the page lays out itself;
 * long lists use DataTable. `cellClassName` may style a column by its position, as figures align right.
 */
export function TableHead({
  labels,
  className = "text-slate-700",
  cellClassName = "py-1 font-medium",
}: {
  labels: readonly ReactNode[];
  className?: string;
  cellClassName?: string | ((column: number) => string);
}) {
  return (
    <thead className={className}>
      <tr>
        {labels.map((label, column) => (
          // The columns are fixed: a heading's position is what tells it apart.
          <th
            key={column}
            scope="col"
            className={typeof cellClassName === "string" ? cellClassName : cellClassName(column)}
          >
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
