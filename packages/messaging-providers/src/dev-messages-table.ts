import type { Db, DbTx } from "@regulars/db";
import type { OutgoingMessage } from "@regulars/messaging";
import type { DevMessageSink, RecordedMessage } from "./development.ts";

/** Most messages written by one statement. */
const MAX_ROWS = 500;

/**
 * The development sink over `dev_messages`, the table one-time codes already go to: one place where a
 * developer or the admin reads every message the system "sent". The table has one text column for the
 * message, so an e-mail's subject and a push's title go on its first line.
 *
 * The row id is the message's own id: a message recorded again (a retry after a lost answer) stays one row.
 * Messages recorded at the same moment (a sender's claim going out together) are written by one statement, each
 * `record` answering once its row is committed: one commit, one WAL flush, per statement, not per message.
 */
export function devMessagesTableSink(db: Db | DbTx): DevMessageSink {
  let waiting: { entry: RecordedMessage; settle: (error?: unknown) => void }[] = [];
  const write = async (batch: typeof waiting) => {
    const rows = batch.map((w) => w.entry);
    try {
      await db.$executeRaw`
        INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body, created_at)
        SELECT * FROM unnest(${rows.map((r) => r.message.id)}::text[], ${rows.map((r) => r.message.tenantId)}::text[],
          ${rows.map((r) => r.message.customerId)}::text[], ${rows.map((r) => r.message.channel)}::text[],
          ${rows.map((r) => recipientOf(r.message))}::text[], ${rows.map((r) => textOf(r.message))}::text[],
          ${rows.map((r) => r.recordedAt)}::timestamptz[])
        ON CONFLICT (id) DO NOTHING`;
      for (const w of batch) w.settle();
    } catch (e) {
      for (const w of batch) w.settle(e);
    }
  };
  const flush = () => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += MAX_ROWS) void write(all.slice(i, i + MAX_ROWS));
  };
  return {
    record(entry) {
      return new Promise<void>((resolve, reject) => {
        if (!waiting.length) setImmediate(flush);
        waiting.push({ entry, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      });
    },
  };
}

export function recipientOf(message: OutgoingMessage): string {
  return message.channel === "push" ? `${message.to.platform}:${message.to.token}` : message.to;
}

export function textOf(message: OutgoingMessage): string {
  switch (message.channel) {
    case "email":
      return `Subject: ${message.subject}\n\n${message.text ?? message.html}`;
    case "sms":
      return message.body;
    case "push":
      return [message.title, message.body, message.url].filter(Boolean).join("\n");
  }
}
