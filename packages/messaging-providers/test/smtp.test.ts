import { createServer, type Server } from "node:net";
import { composeMessage, type EmailMessage, validateTemplate, verifyLinkToken } from "@regulars/messaging";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smtpProvider } from "../src/index.ts";
import { closedPort } from "./fake-http.ts";

const password = "smtp-password-never-logged";
const secret = "link-signing-secret-of-32-chars!";
const received: { rcpt: string[]; raw: Buffer }[] = [];

/**
 * Refuses chosen recipients as a real server does, quoting the address: `gone@` permanently (550), `busy@` for
 * now (451).
 */
function refusal(address: string): (Error & { responseCode: number }) | null {
  const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  if (address.startsWith("gone@")) return refuse(550, `5.1.1 <${address}>: Recipient address rejected`);
  if (address.startsWith("busy@")) return refuse(451, "Try again later");
  return null;
}

const server = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === "burgerbros" && auth.password === password) callback(null, { user: auth.username });
    else callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
  },
  onRcptTo(address, _session, callback) {
    callback(refusal(address.address));
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
      callback(null);
    });
  },
});
let port = 0;
let silent: Server;
let silentPort = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as { port: number }).port;
  // Accepts connections and never says a word: a server that hangs.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  silent.close();
});

const config = (overrides: Record<string, unknown> = {}) => ({
  kind: "smtp" as const,
  host: "127.0.0.1",
  port,
  auth: { user: "burgerbros", pass: password },
  from: "Burger Bros <hello@burgerbros.example>",
  pool: false,
  ...overrides,
});

function email(to: string, id = `msg_${crypto.randomUUID().slice(0, 8)}`): EmailMessage {
  const template = validateTemplate({
    channel: "email",
    language: "pl",
    subject: "Cześć {{ customer.first_name }}, kupon dla Ciebie",
    body:
      "<p>Hi {{ customer.first_name }}, your code is <b>{{ coupon.code }}</b>.</p>" +
      '<p><a href="https://burgerbros.example/menu?utm=email&amp;x=1">See the menu</a> · <a href="https://burgerbros.example/terms">Terms</a></p>',
  });
  const composed = composeMessage(
    template,
    { customer: { first_name: "Zoë & <Ola>" }, coupon: { code: "FRIES-7KQ2" } },
    { messageId: id, tracking: { baseUrl: "https://go.burgerbros.example/l", secrets: [secret], opens: true } },
  );
  if (composed.content.channel !== "email") throw new Error("an e-mail template gives an e-mail");
  return { id, tenantId: "ten_1", customerId: "cus_1", to, ...composed.content };
}

describe("SMTP e-mail", () => {
  it("delivers the message with its headers, subject, escaped body, tracked links and open pixel", async () => {
    const provider = smtpProvider(config());
    const message = email("ola@example.com");
    const result = await provider.send(message);
    expect(result).toEqual({ ok: true, providerMessageId: `<${message.id}@burgerbros.example>` });

    const arrived = received.find((r) => r.raw.includes(message.id));
    expect(arrived?.rcpt).toEqual(["ola@example.com"]);
    const mail = await simpleParser(arrived!.raw);
    expect(mail.from?.text).toBe('"Burger Bros" <hello@burgerbros.example>');
    expect(mail.to && !Array.isArray(mail.to) && mail.to.text).toBe("ola@example.com");
    expect(mail.subject).toBe("Cześć Zoë & <Ola>, kupon dla Ciebie");
    expect(mail.messageId).toBe(`<${message.id}@burgerbros.example>`);
    expect(mail.headers.get("x-regulars-message-id")).toBe(message.id);
    const html = String(mail.html);
    expect(html).toContain("<p>Hi Zoë &amp; &lt;Ola&gt;, your code is <b>FRIES-7KQ2</b>.</p>");

    const links = [...html.matchAll(/href="https:\/\/go\.burgerbros\.example\/l\/([^"]+)"/g)].map((m) => m[1]!);
    expect(links.map((token) => verifyLinkToken([secret], token))).toEqual([
      { ok: true, kind: "click", messageId: message.id, url: "https://burgerbros.example/menu?utm=email&x=1" },
      { ok: true, kind: "click", messageId: message.id, url: "https://burgerbros.example/terms" },
    ]);
    expect(html).not.toContain('href="https://burgerbros.example');
    const pixel = /<img src="https:\/\/go\.burgerbros\.example\/l\/([^"]+)" width="1" height="1"/.exec(html)?.[1];
    expect(verifyLinkToken([secret], pixel!)).toEqual({ ok: true, kind: "open", messageId: message.id });
  });

  it("sends a text e-mail as text", async () => {
    const provider = smtpProvider(config());
    const id = `msg_${crypto.randomUUID().slice(0, 8)}`;
    const message: EmailMessage = {
      id,
      tenantId: "ten_1",
      customerId: null,
      channel: "email",
      to: "ola@example.com",
      subject: "Plain",
      text: "Line one\nLine two",
    };
    expect((await provider.send(message)).ok).toBe(true);
    const mail = await simpleParser(received.find((r) => r.raw.includes(id))!.raw);
    expect(mail.text?.trim()).toBe("Line one\nLine two");
    expect(mail.html).toBe(false);
  });

  it("reports a permanent refusal (5xx) as not retryable and a temporary one (4xx) as retryable", async () => {
    const provider = smtpProvider(config());
    const gone = await provider.send(email("gone@example.com"));
    expect(gone).toMatchObject({
      ok: false,
      failure: { code: "rejected", retryable: false, status: 550 },
    });
    // The server's reply is kept for the admin, without the customer's address it quotes.
    expect(gone.ok || gone.failure.message).toMatch(/550 5\.1\.1 <\[email\]>: Recipient address rejected/);
    expect(JSON.stringify(gone)).not.toContain("gone@example.com");
    expect(await provider.send(email("busy@example.com"))).toMatchObject({
      ok: false,
      failure: { code: "rate_limited", retryable: true, status: 451 },
    });
  });

  it("reports refused credentials as a configuration problem, without the password", async () => {
    const result = await smtpProvider(config({ auth: { user: "burgerbros", pass: `${password}-old` } })).send(
      email("ola@example.com"),
    );
    expect(result).toMatchObject({ ok: false, failure: { code: "misconfigured", retryable: false } });
    expect(JSON.stringify(result)).not.toContain(password);
  });

  it("retries when the server cannot be reached or does not answer in time", async () => {
    const closed = await smtpProvider(config({ port: await closedPort() })).send(email("ola@example.com"));
    expect(closed).toMatchObject({ ok: false, failure: { code: "unreachable", retryable: true } });
    const started = Date.now();
    const hung = await smtpProvider(config({ port: silentPort, timeoutMs: 300 })).send(email("ola@example.com"));
    expect(hung).toMatchObject({ ok: false, failure: { code: "timeout", retryable: true } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("keeps pooled connections for a broadcast and closes them", async () => {
    const provider = smtpProvider(config({ pool: true, maxConnections: 2 }));
    const messages = Array.from({ length: 5 }, (_, i) => email(`fan${i}@example.com`));
    const results = await Promise.all(messages.map((m) => provider.send(m)));
    expect(results.every((r) => r.ok)).toBe(true);
    provider.close?.();
    for (const m of messages) expect(received.some((r) => r.raw.includes(m.id))).toBe(true);
  });

  it("withdraws a message still waiting for a pooled connection when the caller stops waiting", async () => {
    const provider = smtpProvider(config({ pool: true, maxConnections: 1 }));
    const [first, second] = [email("first@example.com"), email("second@example.com")];
    const handedOn: string[] = [];
    const stopWaiting = new AbortController();
    const sending = provider.send(first, { started: () => handedOn.push(first.id) });
    const waiting = provider.send(second, { signal: stopWaiting.signal, started: () => handedOn.push(second.id) });
    stopWaiting.abort();
    expect(await waiting).toMatchObject({ ok: false, failure: { code: "rate_limited", retryable: true } });
    expect(await sending).toMatchObject({ ok: true });
    provider.close?.();
    expect(handedOn).toEqual([first.id]);
    expect(received.some((r) => r.raw.includes(second.id))).toBe(false);
  });

  it("does not send a message that is not an e-mail", async () => {
    const sms = { id: "msg_x", tenantId: "ten_1", customerId: null, channel: "sms", to: "+48600100200", body: "hi" };
    expect(await smtpProvider(config()).send(sms as never)).toMatchObject({
      ok: false,
      failure: { code: "unsupported", retryable: false },
    });
  });
});
