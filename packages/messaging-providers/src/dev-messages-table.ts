import type { Db, DbTx } from "@regulars/db";
import type { OutgoingMessage } from "@regulars/messaging";
import type { DevMessageSink } from "./development.ts";

/**
 * The development sink over `dev_messages`, the table one-time codes already go to: one place where a
 * developer or the admin reads every message the system "sent". The table has one text column for the
 * message, so an e-mail's subject and a push's title go on its first line.
 *
 * The row id is the message's own id: a message recorded again (a retry after a lost answer) stays one row.
 */
export function devMessagesTableSink(db: Db | DbTx): DevMessageSink {
  return {
    async record({ message, recordedAt }) {
      await db.$executeRaw`
        INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body, created_at)
        VALUES (${message.id}, ${message.tenantId}, ${message.customerId}, ${message.channel},
                ${recipientOf(message)}, ${textOf(message)}, ${recordedAt})
        ON CONFLICT (id) DO NOTHING`;
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
