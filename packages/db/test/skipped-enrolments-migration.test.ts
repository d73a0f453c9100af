import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const backfill = "0050_campaign_enrolments_skipped_backfill";

const scratch = scratchDatabases();

/** A step as stored, and the message it queued (its status and failure code) if any. */
type Step = [status: string, reason: string | null, message?: [status: string, failureCode: string | null]];

describe(`migration ${backfill}`, () => {
  it("ends skipped the entered enrolments of which no step ran, for a reason of the customer's own", async () => {
    const { url, client } = await scratch.before(backfill);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Skips', 'UTC', 'EUR')");
    await client.query("INSERT INTO customers (id, tenant_id, created_via) VALUES ('cus_1', 'ten_1', 'pos')");
    await client.query(
      `INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, created_by)
       VALUES ('cmp_1', 'ten_1', 'Welcome', 'active', 'registered', 1, 'test')`,
    );
    const enrolments: [id: string, outcome: string, steps: Step[]][] = [
      [
        "all_skipped",
        "entered",
        [
          ["skipped", "no_consent"],
          ["skipped", "capped"],
        ],
      ],
      [
        "cancelled_by_sender",
        "entered",
        [
          ["skipped", "no_profiling_consent"],
          ["done", null, ["cancelled", "capped"]],
        ],
      ],
      [
        "later_step_pending",
        "entered",
        [
          ["skipped", "no_consent"],
          ["pending", null],
        ],
      ],
      [
        "message_sent",
        "entered",
        [
          ["skipped", "no_address"],
          ["done", null, ["sent", null]],
        ],
      ],
      ["message_queued", "entered", [["done", null, ["queued", null]]]],
      [
        "coupon_issued",
        "entered",
        [
          ["done", null],
          ["skipped", "no_consent"],
        ],
      ],
      ["campaign_ended", "entered", [["done", null, ["cancelled", "cancelled"]]]],
      ["step_cancelled", "entered", [["cancelled", "campaign_archived"]]],
      ["step_failed", "entered", [["failed", null]]],
      ["template_gone", "entered", [["skipped", "no_template"]]],
      ["no_steps", "entered", []],
      ["held_out", "control", [["skipped", "control_group"]]],
    ];
    for (const [id, outcome, steps] of enrolments) {
      await client.query(
        `INSERT INTO campaign_enrolments (id, tenant_id, campaign_id, version, customer_id, occurrence, occurred_at, outcome)
         VALUES ($1, 'ten_1', 'cmp_1', 1, 'cus_1', $1, now() - interval '1 day', $2)`,
        [id, outcome],
      );
      for (const [index, [status, reason, message]] of steps.entries()) {
        const key = `${id}:${index}`;
        await client.query(
          `INSERT INTO campaign_steps (key, tenant_id, campaign_id, enrolment_id, customer_id, step_index, action, run_at,
             status, reason)
           VALUES ($1, 'ten_1', 'cmp_1', $2, 'cus_1', $3, '{"type":"send_message"}', now() - interval '1 day', $4, $5)`,
          [key, id, index, status, reason],
        );
        if (message)
          await client.query(
            `INSERT INTO messages (id, tenant_id, customer_id, campaign_id, step_key, channel, language, to_address,
               content, status, failure_code, send_at, next_attempt_at)
             VALUES ($1, 'ten_1', 'cus_1', 'cmp_1', $1, 'email', 'en', 'ada@example.test', '{}', $2, $3,
               now() - interval '1 day', now() - interval '1 day')`,
            [key, message[0], message[1]],
          );
      }
    }

    expect((await migrateDatabase(url)).applied).toContain(backfill);

    const { rows } = await client.query<{ id: string; outcome: string; reason: string | null }>(
      "SELECT id, outcome, reason FROM campaign_enrolments ORDER BY id",
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.outcome, r.reason]]))).toEqual({
      all_skipped: ["skipped", "no_consent"],
      cancelled_by_sender: ["skipped", "no_profiling_consent"],
      later_step_pending: ["entered", null],
      message_sent: ["entered", null],
      message_queued: ["entered", null],
      coupon_issued: ["entered", null],
      campaign_ended: ["entered", null],
      step_cancelled: ["entered", null],
      step_failed: ["entered", null],
      template_gone: ["entered", null],
      no_steps: ["entered", null],
      held_out: ["control", null],
    });

    // Each one settled is announced again, as the runner's `skippedEvent` does: ClickHouse replaces its entered row.
    const outbox = await client.query<{ id: string; tenant_id: string; type: string; payload: unknown }>(
      "SELECT id, tenant_id, type, payload FROM outbox_events ORDER BY id",
    );
    const { rows: times } = await client.query<{ id: string; occurred_at: Date }>(
      "SELECT id, occurred_at FROM campaign_enrolments WHERE outcome = 'skipped' ORDER BY id",
    );
    expect(outbox.rows).toEqual(
      times.map(({ id, occurred_at }) => ({
        id: `campaign-enrolled:${id}:skipped`,
        tenant_id: "ten_1",
        type: "campaign.enrolled",
        payload: {
          type: "campaign.enrolled",
          id: `campaign-enrolled:${id}:skipped`,
          tenantId: "ten_1",
          customerId: "cus_1",
          occurredAt: occurred_at.toISOString(),
          campaignId: "cmp_1",
          version: 1,
          enrolmentId: id,
          occurrence: id,
          outcome: "skipped",
        },
      })),
    );
    expect(outbox.rows.map((r) => r.id)).toEqual([
      "campaign-enrolled:all_skipped:skipped",
      "campaign-enrolled:cancelled_by_sender:skipped",
    ]);
  });
});
