import { type BusTopology, transactionSubject } from "@regulars/bus";
import { exampleSaleLines, type TransactionInput, type TransactionMessage } from "@regulars/contracts";
import { stableId } from "@regulars/ids";

let counter = 0;

export type SaleBody = Record<string, unknown> & { externalId: string };

/**
 * A valid sale at a staffed till (channel `pos`: a pos key may post it, a kiosk key only its `kiosk` sales); override
 * any field. Totals are computed from the lines unless given.
 */
export function saleBody(overrides: Partial<TransactionInput> & Record<string, unknown> = {}): SaleBody {
  const lines = (overrides.lines as TransactionInput["lines"] | undefined) ?? exampleSaleLines;
  const total = lines.reduce((acc, l) => acc + l.quantity * l.unitPrice - (l.discount ?? 0), 0);
  return {
    externalId: `POS1-${Date.now()}-${++counter}`,
    type: "sale",
    // A minute ago: inside the gateway's acceptance window whenever the test runs.
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    locationId: "store-017",
    channel: "pos",
    currency: "EUR",
    lines,
    total,
    couponCodes: [],
    holdId: null,
    ...overrides,
  } as SaleBody;
}

/**
 * A transaction as the gateway publishes it: the message (its id derived as the gateway derives it), the subject of
 * the customer's ledger partition, and the gateway's de-duplication id.
 */
export function postedTransaction(topology: BusTopology, tenantId: string, transaction: TransactionInput) {
  const payload: TransactionMessage = {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: new Date().toISOString(),
    transaction,
  };
  return {
    subject: transactionSubject(topology, tenantId, transaction),
    payload,
    msgId: `${tenantId}:${transaction.externalId}`,
  };
}
