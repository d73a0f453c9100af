import type { Db } from "@regulars/db";
import { type OutgoingMessage, sendFailure } from "@regulars/messaging";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider, developmentProvider, devMessagesTableSink, memorySink } from "../src/index.ts";

const id = () => `msg_${crypto.randomUUID().replaceAll("-", "").slice(0, 26)}`;
const at = new Date(Date.now() - 60_000);

function messages(tenantId: string, customerId: string | null): OutgoingMessage[] {
  const envelope = { tenantId, customerId };
  return [
    { ...envelope, id: id(), channel: "sms", to: "+48600100200", body: "Your code is 123456" },
    {
      ...envelope,
      id: id(),
      channel: "email",
      to: "ola@example.com",
      subject: "Welcome",
      html: "<p>Hi</p>",
      text: "Hi",
    },
    {
      ...envelope,
      id: id(),
      channel: "push",
      to: { platform: "android", token: "device-1" },
      title: "100 points!",
      body: "Claim €5 off",
      url: "burgerbros://rewards",
    },
  ];
}

describe("development provider in memory", () => {
  it("records every channel with the time it was given and answers with an id", async () => {
    const sink = memorySink();
    const provider = developmentProvider({ sink, clock: () => at });
    const sent = messages("ten_1", "cus_1");
    for (const m of sent) expect(await provider.send(m)).toEqual({ ok: true, providerMessageId: `dev_${m.id}` });
    expect(sink.messages).toEqual(
      sent.map((message) => ({ message, providerMessageId: `dev_${message.id}`, recordedAt: at })),
    );
  });

  it("plays a failure for chosen messages, so a test can drive retries", async () => {
    const sink = memorySink();
    const down = sendFailure("provider_error", "503 from the gateway", { status: 503 });
    const provider = developmentProvider({ sink, failure: (m) => (m.channel === "sms" ? down : undefined) });
    const [sms, email] = messages("ten_1", null);
    expect(await provider.send(sms!)).toEqual({ ok: false, failure: down });
    expect((await provider.send(email!)).ok).toBe(true);
    expect(sink.messages.map((r) => r.message.channel)).toEqual(["email"]);
  });

  it("is created from its configuration like any provider", async () => {
    const sink = memorySink();
    const provider = createProvider({ kind: "development" }, { devSink: sink });
    expect(provider.name).toBe("development");
    await provider.send(messages("ten_1", null)[0]!);
    expect(sink.messages).toHaveLength(1);
  });
});

describe("development provider over the dev_messages table", () => {
  let db: Db;
  let tenantId: string;
  let customerId: string;

  beforeAll(async () => {
    db = testDb();
    ({ tenantId } = await testTenant(db, "Dev Messages Burgers"));
    customerId = `cus_${crypto.randomUUID().replaceAll("-", "").slice(0, 26)}`;
    await db.customer.create({ data: { id: customerId, tenantId, name: "Ola Nowak", createdVia: "test" } });
  });
  afterAll(() => db.$disconnect());

  it("writes one row per message where one-time codes go, and a repeat of a message stays one row", async () => {
    const provider = developmentProvider({ sink: devMessagesTableSink(db), clock: () => at });
    const sent = messages(tenantId, customerId);
    for (const m of sent) expect((await provider.send(m)).ok).toBe(true);
    expect((await provider.send(sent[0]!)).ok).toBe(true);

    const rows = await db.$queryRaw<
      { id: string; channel: string; recipient: string; body: string; created_at: Date }[]
    >`
      SELECT id, channel, recipient, body, created_at FROM dev_messages
      WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} ORDER BY channel`;
    expect(rows).toEqual([
      {
        id: sent[1]!.id,
        channel: "email",
        recipient: "ola@example.com",
        body: "Subject: Welcome\n\nHi",
        created_at: at,
      },
      {
        id: sent[2]!.id,
        channel: "push",
        recipient: "android:device-1",
        body: "100 points!\nClaim €5 off\nburgerbros://rewards",
        created_at: at,
      },
      { id: sent[0]!.id, channel: "sms", recipient: "+48600100200", body: "Your code is 123456", created_at: at },
    ]);
  });
  it("writes messages sent at the same moment together, a repeat among them once, and answers each send", async () => {
    const provider = developmentProvider({ sink: devMessagesTableSink(db), clock: () => at });
    const sent = messages(tenantId, customerId).map((m) => ({ ...m, id: `${m.id}-together` }));
    const answers = await Promise.all([...sent, sent[0]!].map((m) => provider.send(m)));
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, true]);
    const rows = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM dev_messages WHERE id = ANY(${sent.map((m) => m.id)}::text[]) ORDER BY id`;
    expect(rows.map((r) => r.id)).toEqual(sent.map((m) => m.id).sort());
  });

  it("fails every send of a statement that could not be written, so the sender retries them", async () => {
    const provider = developmentProvider({ sink: devMessagesTableSink(db), clock: () => at });
    // A tenant that does not exist breaks the row's foreign key: the whole statement is refused.
    const broken = messages("ten_missing", null).map((m) => ({ ...m, id: `${m.id}-broken` }));
    const answers = await Promise.allSettled(broken.map((m) => provider.send(m)));
    expect(answers.map((a) => a.status)).toEqual(["rejected", "rejected", "rejected"]);
  });
});
