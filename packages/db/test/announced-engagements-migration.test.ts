import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0051_messages_announced_engagements";

const scratch = scratchDatabases();

/** A message as stored: seconds after sending it was opened and clicked (null: never). */
type Message = [id: string, openedAfter: number | null, clickedAfter: number | null];

describe(`migration ${migration}`, () => {
  it("remembers the opens known announced and the opens and clicks the outbox still holds", async () => {
    const { url, client } = await scratch.before(migration);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Taps', 'UTC', 'EUR')");
    const messages: Message[] = [
      ["msg_pixel", 60, null],
      ["msg_pixel_then_click", 60, 120],
      ["msg_click", 120, 120],
      ["msg_click_pruned", 120, 120],
      ["msg_click_then_pixel", 120, 120],
      ["msg_sent", null, null],
    ];
    for (const [id, openedAfter, clickedAfter] of messages)
      await client.query(
        `INSERT INTO messages (id, tenant_id, channel, language, to_address, content, status, send_at, next_attempt_at,
           sent_at, opened_at, clicked_at)
         VALUES ($1, 'ten_1', 'sms', 'en', '+48500100200', '{}', 'sent', now() - interval '30 days',
           now() - interval '30 days', now() - interval '30 days',
           now() - interval '30 days' + $2 * interval '1 second', now() - interval '30 days' + $3 * interval '1 second')`,
        [id, openedAfter, clickedAfter],
      );
    for (const [id, type] of [
      ["message.clicked:msg_pixel_then_click:linkA", "message.clicked"],
      ["message.clicked:msg_click:linkA", "message.clicked"],
      ["message.clicked:msg_click:linkB", "message.clicked"],
      ["message.opened:msg_click_then_pixel", "message.opened"],
      ["message.sent:msg_sent", "message.sent"],
    ])
      await client.query(
        "INSERT INTO outbox_events (id, tenant_id, type, payload, published_at) VALUES ($1, 'ten_1', $2, '{}', now())",
        [id, type],
      );

    expect((await migrateDatabase(url)).applied).toEqual(
      expect.arrayContaining([migration, "0055_messages_announced_engagements_backfill"]),
    );

    const { rows } = await client.query<{ id: string; announced_engagements: string[] }>(
      "SELECT id, announced_engagements FROM messages ORDER BY id",
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.announced_engagements]))).toEqual({
      msg_pixel: ["opened"],
      msg_pixel_then_click: ["clicked:linkA", "opened"],
      msg_click: ["clicked:linkA", "clicked:linkB"],
      msg_click_pruned: [],
      msg_click_then_pixel: ["opened"],
      msg_sent: [],
    });
  });
});
