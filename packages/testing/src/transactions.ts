import { exampleSaleLines, type TransactionInput } from "@regulars/contracts";

let counter = 0;

/** A valid sale; override any field. Totals are computed from the lines unless given. */
export type SaleBody = Record<string, unknown> & { externalId: string };

export function saleBody(overrides: Partial<TransactionInput> & Record<string, unknown> = {}): SaleBody {
  const lines = (overrides.lines as TransactionInput["lines"] | undefined) ?? exampleSaleLines;
  const total = lines.reduce((acc, l) => acc + l.quantity * l.unitPrice - (l.discount ?? 0), 0);
  return {
    externalId: `POS1-${Date.now()}-${++counter}`,
    type: "sale",
    // A minute ago: inside the gateway's acceptance window whenever the test runs.
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    locationId: "store-017",
    channel: "kiosk",
    currency: "EUR",
    lines,
    total,
    couponCodes: [],
    holdId: null,
    ...overrides,
  } as SaleBody;
}
