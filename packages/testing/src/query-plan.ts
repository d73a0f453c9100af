import { type Db, type Prisma, withTransaction } from "@regulars/db";

/** A node of Postgres's JSON plan, with the fields plan tests look at. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Alias?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * Every node of the plan Postgres makes for a statement. Test tables are small, where reading one whole is cheaper
 * than any index: `indexOnly` turns sequential scans off, which shows whether an index can answer the statement at
 * all (as on a table of millions of rows); `"fromIndexAlone"` also turns bitmap and plain index scans off, which
 * shows whether the index holds every column read.
 */
export async function queryPlan(
  db: Db,
  statement: Prisma.Sql | string,
  indexOnly: boolean | "fromIndexAlone" = false,
): Promise<PlanNode[]> {
  const [text, values] = typeof statement === "string" ? [statement, []] : [statement.text, statement.values];
  return withTransaction(db, async (tx) => {
    if (indexOnly) await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
    if (indexOnly === "fromIndexAlone") {
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_indexscan = off");
    }
    const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      ...values,
    );
    return nodesOf(row!["QUERY PLAN"][0].Plan);
  });
}
