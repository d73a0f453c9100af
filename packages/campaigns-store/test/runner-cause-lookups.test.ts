import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  event,
  HOUR,
  later,
  messagesOf,
  repeatable,
  runDueSteps,
  runnerDb,
  runnerTenant,
} from "./runner-fixtures.ts";

// The trigger worker looks up what caused an event (the chain's depth, the profiling the cause passes on) once per
// event: a follow-up on another campaign's message costs one statement on the pool before its enrolment, an event no
// campaign caused none.

const { db, cache } = runnerDb();
const now = new Date();
const started = { startedAt: later(now, -HOUR) };

/**
 * The client, recording every operation sent on the pool (raw statements and model calls, as the recording clients
 * of cap-counts.test.ts do); an enrolment's own transaction runs on the client itself, unrecorded.
 */
function recordingPool(client: Db): { pool: Db; statements: string[] } {
  const statements: string[] = [];
  const recording = client.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        statements.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  });
  const pool = new Proxy(recording, {
    get: (target, key) => (key === "$transaction" ? client.$transaction.bind(client) : Reflect.get(target, key)),
  }) as unknown as Db;
  return { pool, statements };
}

it("reads the cause of a campaign's message once, and nothing for a message no campaign sent", async () => {
  const { tenantId } = await runnerTenant(db);
  const onMessage = { type: "domain_event" as const, eventType: "message.sent" as const };
  const email = { type: "send_message" as const, channel: "email" as const, templateId: "tpl_news" };
  const news = await addCampaign(
    db,
    tenantId,
    { audience: { kind: "none" }, trigger: { ...onMessage, conditions: [] }, actions: [email], limits: repeatable },
    started,
  );
  const followUp = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { ...onMessage, conditions: [{ field: "campaignId", op: "eq", value: news }] },
      actions: [email],
      limits: repeatable,
    },
    started,
  );
  const customer = await addCustomer(db, tenantId, { consents: ["email"] });
  const sent = (messageId: string, campaignId: string | null) =>
    event({
      id: `message.sent:${messageId}`,
      tenantId,
      customerId: customer,
      occurredAt: now.toISOString(),
      type: "message.sent",
      messageId,
      campaignId,
      channel: "email",
      provider: "test",
      attempt: 1,
    });

  // A one-time code's message: no campaign caused it.
  const uncaused = recordingPool(db);
  expect((await enrolFromEvent(uncaused.pool, cache, sent(newId("message"), null), now)).entered).toBe(1);
  expect(uncaused.statements).toEqual([]);

  await runDueSteps(db, tenantId, now);
  const [newsMessage] = await messagesOf(db, tenantId);
  const caused = recordingPool(db);
  const followed = await enrolFromEvent(caused.pool, cache, sent(newsMessage!.id, news), now);
  expect(followed.outbox.map((o) => o.payload)).toMatchObject([{ campaignId: followUp, causeDepth: 2 }]);
  expect(caused.statements).toEqual(["$queryRaw"]);
});
