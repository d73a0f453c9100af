import type { ReactNode } from "react";

export interface ChartTable {
  caption: string;
  columns: string[];
  /** One row per data point, cells in the columns' order; the first cell names the row. */
  rows: string[][];
}

/**
 * A chart with its text alternative: a visible one-sentence summary as the figure's caption (its accessible
 * name) and the chart's data as a visually hidden table. The drawing itself is hidden from screen readers,
 * which read the summary and the table instead.
 */
export function ChartFigure({
  title,
  summary,
  table,
  children,
  className = "",
}: {
  title: string;
  summary: string;
  table: ChartTable;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${className}`}>
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <figure className="mt-1">
        <figcaption className="mb-3 text-sm text-slate-700">{summary}</figcaption>
        <div className="h-64 w-full" aria-hidden="true">
          {children}
        </div>
        <table className="sr-only">
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row[0]}>
                {row.map((cell, i) =>
                  i === 0 ? (
                    <th key={table.columns[i]} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={table.columns[i]}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
    </section>
  );
}
