import type { DbTx } from "@regulars/db";
import { pointsBalancesOf } from "@regulars/ledger-store";
import type { MessageVariables } from "@regulars/messaging";

interface VariableRow {
  id: string;
  name: string | null;
  tenant_name: string;
}

/**
 * The variables every message can count on, read in the queueing transaction: the customer's names, the
 * tenant's name and the points balance. Campaigns that want the tier and the gap to the next one build the
 * full set (`customerMessageVariables` of the campaigns store) and pass it in; this keeps a message that is
 * queued without them (a one-time notice) from failing on a template that greets by first name.
 */
export async function basicMessageVariables(
  tx: DbTx,
  tenantId: string,
  customerId: string,
): Promise<MessageVariables | null> {
  return (await basicMessageVariablesOf(tx, tenantId, [customerId])).get(customerId) ?? null;
}

/** `basicMessageVariables` of many customers in two statements, by customer id (absent: not the tenant's). */
export async function basicMessageVariablesOf(
  tx: DbTx,
  tenantId: string,
  customerIds: readonly string[],
): Promise<Map<string, MessageVariables>> {
  const rows = await tx.$queryRaw<VariableRow[]>`
    SELECT c.id, c.name, t.name AS tenant_name
    FROM customers c JOIN tenants t ON t.id = c.tenant_id
    WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${[...customerIds]}::text[])`;
  const balances = await pointsBalancesOf(tx, tenantId, customerIds);
  return new Map(
    rows.map((row) => {
      const [firstName = "", ...rest] = (row.name ?? "").trim().split(/\s+/).filter(Boolean);
      const variables: MessageVariables = {
        customer: { first_name: firstName, ...(rest.length ? { last_name: rest.join(" ") } : {}) },
        points: { balance: balances.get(row.id) ?? 0 },
        tenant: { name: row.tenant_name },
      };
      return [row.id, variables];
    }),
  );
}
