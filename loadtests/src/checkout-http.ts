import { Agent, request } from "node:http";

// Keep-alive connections, reused, as the tills' HTTP clients do; node:http costs the bench less CPU than fetch.
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export interface JsonAnswer {
  status: number;
  text: string;
}

/** One request with an optional JSON body over the shared connections; resolves once the answer is read. */
export function jsonRequest(
  url: string,
  key: string,
  method: "GET" | "POST" | "DELETE",
  body?: unknown,
  timeoutMs = 30_000,
): Promise<JsonAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs / 1_000} s`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** The JSON of an answer, or null when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A tRPC call as the admin app makes it (plain JSON, no transformer): a query as GET with `input` in the URL, a
 * mutation as POST with the input as the body. Throws with the server's message when it answers an error.
 */
export async function trpcCall<T>(
  apiUrl: string,
  key: string,
  kind: "query" | "mutation",
  path: string,
  input: unknown,
  timeoutMs = 600_000,
): Promise<T> {
  const url =
    kind === "query"
      ? `${apiUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
      : `${apiUrl}/trpc/${path}`;
  const res = await jsonRequest(
    url,
    key,
    kind === "query" ? "GET" : "POST",
    kind === "query" ? undefined : input,
    timeoutMs,
  );
  const json = parseJson(res.text) as { result?: { data?: T }; error?: { message?: string } } | null;
  if (res.status !== 200 || !json?.result || !("data" in json.result))
    throw new Error(`${path} answered HTTP ${res.status}: ${json?.error?.message ?? res.text.slice(0, 300)}`);
  return json.result.data as T;
}
