import type { ApiFailure, useTRPCClient } from "@regulars/web-ui";
import type { Quote, Selection } from "./basket.ts";

type Client = ReturnType<typeof useTRPCClient>;
type QuoteRequest = Parameters<Client["checkout"]["quote"]["query"]>[0];

/** The hold refused what was chosen (someone else spent the points, the coupon ran out): each item and why. */
export class HoldRefused extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super("hold_refused");
  }
}

/** The ledger refused the sale; `code` is its machine-readable reason. */
export class SaleRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const codeOf = (err: unknown) => (err as { data?: { error?: ApiFailure } })?.data?.error;
const spendsSomething = (s: Selection) => s.couponCodes.length > 0 || s.rewardIds.length > 0 || s.points > 0;

/**
 * Reserves what the customer chose, all or nothing, and answers the price to post. Nothing chosen (or a guest)
 * needs no hold: the quote's own lines are posted (a tier discount applies by itself).
 */
export async function reserve(
  client: Client,
  request: QuoteRequest,
  selection: Selection,
  quote: Quote,
): Promise<{ holdId: string | null; quote: Quote }> {
  if (!request.customer || !spendsSomething(selection)) return { holdId: null, quote };
  try {
    const hold = await client.checkout.hold.mutate({ ...request, customer: request.customer, ...selection });
    return { holdId: hold.holdId, quote: hold.quote };
  } catch (err) {
    const body = codeOf(err);
    if (body?.code === "hold_refused") throw new HoldRefused(body.issues ?? []);
    throw err;
  }
}

export interface Sale {
  externalId: string;
  body: Record<string, unknown>;
}

/** The sale as the gateway takes it: each line's discount and the total from the quote that reserved it. */
export function saleOf(request: QuoteRequest, quote: Quote, holdId: string | null): Sale {
  const externalId = `KIOSK-${request.basket.locationId}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const couponCodes = quote.applied.filter((a) => a.source === "coupon").map((a) => a.ref!);
  return {
    externalId,
    body: {
      externalId,
      type: "sale",
      occurredAt: new Date().toISOString(),
      locationId: request.basket.locationId,
      channel: "kiosk",
      ...(request.customer ? { customer: request.customer } : {}),
      currency: request.basket.currency,
      lines: request.basket.lines.map((line, i) => ({ ...line, discount: quote.lines[i]!.discount })),
      total: quote.total,
      couponCodes,
      ...(holdId ? { holdId } : {}),
    },
  };
}

/** Posts the sale to the ingestion gateway with the kiosk's key; an error carries the gateway's body. */
export async function postSale(gatewayUrl: string, apiKey: string, sale: Sale): Promise<void> {
  const res = await fetch(`${gatewayUrl}/v1/transactions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(sale.body),
  });
  if (res.ok) return;
  const body = (await res.json().catch(() => null)) as ApiFailure | null;
  throw body?.code ? body : new Error(`the gateway answered ${res.status}`);
}

export type Processed = Extract<Awaited<ReturnType<Client["transactions"]["get"]["query"]>>, { status: "processed" }>;

/** Asks until the ledger decided: the processed record, or `SaleRejected` with its reason. */
export async function waitUntilProcessed(client: Client, externalId: string, timeoutMs = 90_000): Promise<Processed> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    // Right after the 202 the receipt may not be recorded yet: "not found" means "ask again".
    const record = await client.transactions.get.query({ externalId }).catch((err) => {
      if (codeOf(err)?.code === "not_found") return null;
      throw err;
    });
    if (record?.status === "processed") return record;
    if (record?.status === "rejected") throw new SaleRejected(record.reason.code, record.reason.message);
    await new Promise((resolve) => setTimeout(resolve, 750));
  }
  throw new Error("the sale was not processed in time; staff can look it up by its number");
}
