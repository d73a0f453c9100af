import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Session } from "chdb";

/**
 * The ClickHouse HTTP interface over chdb, as a process of its own (one chdb data folder per process),
 * for tests of the production code path: what @clickhouse/client sends (the query in the body or the
 * `query` parameter, inline INSERT data, `param_*` bound parameters, settings as URL parameters, `/ping`)
 * and what a server answers (200 with the result, or an error status with `Code: N. DB::Exception: ...`).
 * Prints `listening <port>` once it accepts requests.
 */

/** URL parameters that are about the HTTP exchange, not settings of the query. */
const notSettings = new Set([
  "query",
  "query_id",
  "database",
  "default_format",
  "session_id",
  "session_timeout",
  "session_check",
  "user",
  "password",
  "compress",
  "decompress",
  "quota_key",
  "buffer_size",
  "wait_end_of_query",
  "enable_http_compression",
  "send_progress_in_http_headers",
  "http_headers_progress_interval_ms",
  "http_zlib_compression_level",
  "role",
]);

const dataDir = mkdtempSync(join(tmpdir(), "regulars-clickhouse-http-"));

const session = new Session(dataDir);
// chdb hands a failed statement's partial output out in front of the next result; a ClickHouse server
// answers each request alone, so the leftover is read out here before the next request runs.
const drainProbe = "http_child_drained";
async function drainLeftover(): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await session.queryAsync(`SELECT '${drainProbe}'`, { format: "TabSeparated" }).catch(() => null);
    if (!result || Buffer.from(result.bytes()).toString("utf8").trim() === drainProbe) return;
  }
}
// The engine runs one query at a time per process; requests queue here as they would on a busy server.
let queue: Promise<unknown> = Promise.resolve();
const serially = <T>(work: () => Promise<T>): Promise<T> => {
  const run = queue.then(work, work).catch(async (error: unknown) => {
    await drainLeftover();
    throw error;
  });
  queue = run.catch(() => undefined);
  return run;
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

/** A String parameter arrives escaped for the server's text parser (`\'`, `\\`, `\t`); chdb binds the value as given. */
const unescapeParameter = (value: string) =>
  value.replace(
    /\\(.)/g,
    (_, c: string) => ({ b: "\b", f: "\f", r: "\r", n: "\n", t: "\t", "0": "\0", a: "\x07", v: "\v" })[c] ?? c,
  );

function boundParameters(sql: string, url: URL): Record<string, string> {
  const types = new Map([...sql.matchAll(/\{(\w+):([^}]+)\}/g)].map((m) => [m[1]!, m[2]!.trim()]));
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!key.startsWith("param_")) continue;
    const name = key.slice("param_".length);
    params[name] = /^(Nullable\()?(LowCardinality\()?String\b/.test(types.get(name) ?? "")
      ? unescapeParameter(value)
      : value;
  }
  return params;
}

function settingStatements(url: URL): string {
  const statements: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (key.startsWith("param_") || notSettings.has(key) || key.startsWith("http_")) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new Error(`Code: 115. DB::Exception: Unknown setting ${key}. (UNKNOWN_SETTING)`);
    statements.push(
      /^-?\d+(\.\d+)?$/.test(value) ? `SET ${key} = ${value}; ` : `SET ${key} = '${value.replaceAll("'", "''")}'; `,
    );
  }
  return statements.join("");
}

async function handle(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (
    url.pathname === "/ping" ||
    (url.pathname === "/" && request.method === "GET" && !url.searchParams.has("query"))
  ) {
    response.writeHead(200, { "content-type": "text/plain; charset=UTF-8" }).end("Ok.\n");
    return;
  }
  const body = await readBody(request);
  const inUrl = url.searchParams.get("query");
  const sql = inUrl ? (body ? `${inUrl}\n${body}` : inUrl) : body;
  try {
    const params = boundParameters(sql, url);
    const statement = settingStatements(url) + sql;
    const format = url.searchParams.get("default_format") ?? "TabSeparated";
    const result = await serially(() =>
      Object.keys(params).length
        ? session.queryBindAsync(statement, params, { format })
        : session.queryAsync(statement, { format }),
    );
    response.writeHead(200, {
      "content-type": "text/plain; charset=UTF-8",
      "x-clickhouse-summary": JSON.stringify({
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        written_rows: "0",
        written_bytes: "0",
      }),
    });
    response.end(Buffer.from(result.bytes()));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const code = /^Code: (\d+)\./.exec(message)?.[1] ?? "1002";
    response.writeHead(code === "62" ? 400 : 500, {
      "content-type": "text/plain; charset=UTF-8",
      "x-clickhouse-exception-code": code,
    });
    response.end(`${message}\n`);
  }
}

const server = createServer((request, response) => {
  handle(request, response).catch((e) => response.destroy(e as Error));
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});

const shutdown = () => {
  server.close();
  session.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
