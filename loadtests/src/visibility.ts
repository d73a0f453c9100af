import { Agent, request } from "node:http";
import { z } from "zod";

// Keep-alive connections, reused: node:http costs the bench far less CPU per request than fetch does.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A request over the shared keep-alive connections; resolves with the status and the body text. */
export function httpRequest(
  url: string,
  opts: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, headers: opts.headers, agent, timeout: 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Posts one transaction; resolves with the HTTP status once the answer is read. */
export async function postTransaction(gatewayUrl: string, posKey: string, basket: unknown): Promise<number> {
  const body = JSON.stringify(basket);
  const res = await httpRequest(`${gatewayUrl}/v1/transactions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${posKey}`,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
    },
    body,
  });
  return res.status;
}

/**
 * `customers.get` for each phone, in one batched tRPC GET (plain JSON, no transformer): what an admin app
 * would ask. `input` maps each call's index to its input.
 */
export function customersGetBatchUrl(apiUrl: string, phones: readonly string[]): string {
  const procedures = phones.map(() => "customers.get").join(",");
  const input = Object.fromEntries(phones.map((phone, i) => [String(i), { phone }]));
  return `${apiUrl}/trpc/${procedures}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

const BatchAnswer = z.array(
  z.union([
    z.object({
      result: z.object({ data: z.object({ points: z.object({ balance: z.number(), pending: z.number() }) }) }),
    }),
    z.object({ error: z.unknown() }),
  ]),
);

/**
 * Points (balance + pending) per phone from a batched `customers.get` answer; null for a customer that is
 * not there yet (the call's error) or an answer that does not fit.
 */
export function balancesFromBatch(phones: readonly string[], json: unknown): Map<string, number | null> {
  const parsed = BatchAnswer.safeParse(json);
  const balances = new Map<string, number | null>();
  phones.forEach((phone, i) => {
    const call = parsed.success ? parsed.data[i] : undefined;
    balances.set(
      phone,
      call && "result" in call ? call.result.data.points.balance + call.result.data.points.pending : null,
    );
  });
  return balances;
}

/** The customers' points as the API shows them to an admin key, null where there is no such customer yet. */
export async function readBalance(
  apiUrl: string,
  adminKey: string,
  phones: readonly string[],
): Promise<Map<string, number | null>> {
  const res = await httpRequest(customersGetBatchUrl(apiUrl, phones), {
    method: "GET",
    headers: { authorization: `Bearer ${adminKey}` },
  });
  const { text } = res;
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not a batch answer: every customer reads as not there
  }
  if (!Array.isArray(json))
    throw new Error(`customers.get answered HTTP ${res.status}: ${text.slice(0, 300)} (is the key an admin key?)`);
  return balancesFromBatch(phones, json);
}
