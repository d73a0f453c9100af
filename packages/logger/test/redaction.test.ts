import { describe, expect, it } from "vitest";
import { createLogger, redactCredentialsInText, redactUrl } from "../src/index.ts";

describe("redactUrl", () => {
  it.each([
    ["nats://alice:s3cret@nats.internal:4222", "nats://alice:***@nats.internal:4222"],
    ["nats://t0kenValue@nats.internal:4222", "nats://***@nats.internal:4222"],
    ["tls://t0kenValue@nats.internal:4222", "tls://***@nats.internal:4222"],
    [
      "nats://a:p1@h1:4222,nats://tok2@h2:4222, nats://h3:4222",
      "nats://a:***@h1:4222,nats://***@h2:4222,nats://h3:4222",
    ],
    ["postgresql://regulars:pw@127.0.0.1:54329/regulars", "postgresql://regulars:***@127.0.0.1:54329/regulars"],
    [
      "postgresql://db.internal/regulars?user=app&password=pw&sslmode=require",
      "postgresql://db.internal/regulars?user=app&password=***&sslmode=require",
    ],
    ["postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://postgres@127.0.0.1:5432/postgres"],
    ["http://default:chpass@clickhouse:8123", "http://default:***@clickhouse:8123"],
    ["nats://127.0.0.1:4222", "nats://127.0.0.1:4222"],
  ])("%s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it("never echoes what it cannot parse", () => {
    expect(redactUrl("not a url with secret")).toBe("[unparseable url]");
  });
});

describe("log lines", () => {
  const capture = () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(line) } });
    return { log, text: () => lines.join("") };
  };

  it("mask URL credentials in fields, messages, nested objects and errors", () => {
    const { log, text } = capture();
    log.info(
      { url: "nats://alice:s3cret@h:4222", deep: { list: "nats://tok3n@h1,nats://bob:hunter2@h2" } },
      "connecting to postgresql://app:pgpass@db/x",
    );
    log.error({ err: new Error("could not reach http://default:chpass@clickhouse:8123/?query=1") }, "failed");
    log.info({ natsUrl: "nats://plain.example:4222" }, "no secret here");
    const out = text();
    for (const secret of ["s3cret", "tok3n", "hunter2", "pgpass", "chpass"]) expect(out).not.toContain(secret);
    expect(out).toContain("nats://alice:***@h:4222");
    expect(out).toContain("nats://plain.example:4222");
  });

  it("still redact keys, phones and e-mails by field", () => {
    const { log, text } = capture();
    log.info({ apiKey: "rk_pos_abc", customer: { phone: "+48600100200", email: "a@b.c" } }, "hello");
    expect(text()).not.toMatch(/rk_pos_abc|\+48600100200|a@b\.c/);
  });

  it("leaves text without URLs alone", () => {
    expect(redactCredentialsInText("user@example.com wrote: a:b@c")).toBe("user@example.com wrote: a:b@c");
  });
});
