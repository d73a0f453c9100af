import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAnalytics } from "../src/index.ts";

// No ClickHouse server exists on this machine, so the HTTP (production) path is checked at the wire:
// a local HTTP server records what the official client sends and answers like ClickHouse would.
// It proves what chdb cannot: values travel as bound parameters, settings ride on every request,
// and no `database` parameter is sent (a server refuses it while the database does not exist yet).

interface RecordedRequest {
  url: URL;
  body: string;
}
const requests: RecordedRequest[] = [];
let server: Server;
let url: string;

async function readBody(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) body += chunk;
  return body;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await readBody(request);
    requests.push({ url: new URL(request.url ?? "/", "http://localhost"), body });
    response.setHeader("Content-Type", "text/plain");
    response.end(body.includes("count()") ? '{"n":"42"}\n' : "Ok.\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it("sends tenant and filters as bound parameters with the client settings, naming db.table", async () => {
  const analytics = await createAnalytics({
    kind: "http",
    url,
    username: "regulars",
    password: "secret",
    database: "regulars_prod",
  });
  try {
    expect(await analytics.ping()).toBe(true);
    const hostile = "x' OR 1=1 --";
    expect(await analytics.countEvents("tn_1", { customerId: hostile, type: "app_open" })).toBe(42);

    const query = requests.find((r) => r.body.includes("count()"));
    expect(query).toBeDefined();
    expect(query!.body).toContain("FROM regulars_prod.events FINAL");
    expect(query!.body).not.toContain(hostile);
    expect(query!.url.searchParams.get("param_tenant")).toBe("tn_1");
    // The client escapes quotes and backslashes for the server's parameter parser, which undoes it.
    expect(query!.url.searchParams.get("param_customer")).toBe("x\\' OR 1=1 --");
    expect(query!.url.searchParams.get("param_type")).toBe("app_open");
    expect(query!.url.searchParams.get("output_format_json_quote_64bit_integers")).toBe("1");
    expect(query!.url.searchParams.get("date_time_input_format")).toBe("best_effort");
    expect(query!.url.searchParams.has("database")).toBe(false);
  } finally {
    await analytics.close();
  }
});
