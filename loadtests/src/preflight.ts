import { TransactionAccepted } from "@regulars/contracts";
import type { Basket } from "./baskets.ts";
import { acceptedInBatchAnswer } from "./batches.ts";
import { BenchUsageError } from "./running-system.ts";

async function post(url: URL, posKey: string, body: unknown): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${posKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new BenchUsageError(
      `cannot reach the gateway at ${url.origin} (${cause}): start the system with \`npm start\` first`,
    );
  }
}

const hintFor = (status: number, route: string) =>
  status === 401 || status === 403
    ? " (check --key: it must be a POS key of the tenant)"
    : status === 404
      ? ` (does this gateway serve POST ${route}?)`
      : "";

/** One request before the load, so a wrong key or a missing route fails loudly instead of as 20 s of 401s. */
export async function preflight(url: URL, posKey: string, basket: Basket, warn: (line: string) => void): Promise<void> {
  const { status, text } = await post(url, posKey, basket);
  if (status !== 202)
    throw new BenchUsageError(
      `the gateway answered a valid transaction with HTTP ${status}${hintFor(status, url.pathname)}: ${text.slice(0, 500)}`,
    );
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // reported below
  }
  const parsed = TransactionAccepted.safeParse(body);
  if (!parsed.success || parsed.data.externalId !== basket.externalId || parsed.data.duplicate)
    warn(
      `warning: 202 body does not match the contract { id, externalId, status: "accepted", duplicate: false }: ${text.slice(0, 300)}`,
    );
}

/** The batch route's answer to one new basket; a reason when it cannot be measured (an older gateway). */
export async function preflightBatch(url: URL, posKey: string, basket: Basket): Promise<string | null> {
  const { status, text } = await post(url, posKey, { transactions: [basket] });
  if (status === 202 && acceptedInBatchAnswer(text) === 1) return null;
  return `the gateway answered a batch of one new transaction with HTTP ${status}${hintFor(status, url.pathname)}: ${text.slice(0, 300)}`;
}
