import type { Readable } from "node:stream";
import type { Connection } from "chdb/connection";

const probe = "chdb_leftover_drained";
const drainAttempts = 3;

async function textOf(stream: Readable): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  return text;
}

/**
 * chdb (libchdb 26.7) keeps what a statement had written before it failed (a JSON header, the rows sent
 * before a limit or a timeout hit) and hands it out in front of the next result on the same connection,
 * whoever asked for it: another tenant's analyst query, a dashboard read, a segment refresh.
 *
 * This wrapper makes each statement and the read of its leftover one unit: statements run one at a
 * time, and after a failure a probe reads the leftover out before the next statement starts, so
 * nothing can queue in between. chdb materialises each result before its call resolves, so holding
 * the turn until then covers the whole statement. Over HTTP every request has its own response; the
 * ClickHouse-server client does not go through here.
 */
export class SerialChdbConnection implements Connection<Readable> {
  readonly #inner: Connection<Readable>;
  #turn: Promise<unknown> = Promise.resolve();

  constructor(inner: Connection<Readable>) {
    this.#inner = inner;
  }

  query(params: Parameters<Connection<Readable>["query"]>[0]) {
    return this.#serial(() => this.#inner.query(params));
  }

  exec(params: Parameters<Connection<Readable>["exec"]>[0]) {
    return this.#serial(() => this.#inner.exec(params));
  }

  command(params: Parameters<Connection<Readable>["command"]>[0]) {
    return this.#serial(() => this.#inner.command(params));
  }

  insert(params: Parameters<Connection<Readable>["insert"]>[0]) {
    return this.#serial(() => this.#inner.insert(params));
  }

  ping(params: Parameters<Connection<Readable>["ping"]>[0]) {
    // A failed ping is a failed SELECT too: it may leave output behind like any other.
    return this.#serial(async () => {
      const result = await this.#inner.ping(params);
      if (!result.success) await this.#drainLeftover();
      return result;
    });
  }

  close() {
    return this.#serial(() => this.#inner.close());
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(async () => {
      try {
        return await run();
      } catch (error) {
        await this.#drainLeftover();
        throw error;
      }
    });
    // The next statement waits for this one (and its drain) however it ended.
    this.#turn = result.catch(() => undefined);
    return result;
  }

  /** Reads out what a failed statement left on the connection, until the probe comes back alone. */
  async #drainLeftover(): Promise<void> {
    for (let attempt = 0; attempt < drainAttempts; attempt++) {
      try {
        const { stream } = await this.#inner.query({ query: `SELECT '${probe}' FORMAT TabSeparated` });
        if ((await textOf(stream)).trim() === probe) return;
      } catch {
        return; // closed or gone: nothing is left to hand out
      }
    }
  }
}
