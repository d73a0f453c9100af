import { messageDueAtPlanning, type PlannedStep } from "@regulars/campaigns";
import type { DbTx } from "@regulars/db";
import type { RunnableCampaign } from "./active-campaigns.ts";
import type { QueueCampaignMessages } from "./run-message-steps.ts";

/** A planned step of an enrolment this transaction inserted. */
export interface NewStepRow {
  key: string;
  enrolment: string;
  customer: string;
  step: PlannedStep;
}

/** A step settled while it was planned: its message queued (`done`) or refused for good (`skipped`). */
export interface SettledStep {
  status: "done" | "skipped";
  reason: string | null;
  result: string | null;
}

/**
 * Queues, in the planning transaction, each new enrolment's message that is due now and waits for nothing
 * (`messageDueAtPlanning`), with one call for the whole chunk. A broadcast's 100,000 steps are then inserted
 * already done instead of being claimed, locked and updated once more by the step executor: two fewer writes of
 * every step row and its five indexes. The message carries the step's key, as the executor's would, so a chunk
 * run again queues nothing twice. A message that cannot be queued now (a template that does not render) leaves
 * its step pending: the executor tries it again, with its backoff, and records the error on the step.
 */
export async function queueMessagesAtPlanning(
  tx: DbTx,
  campaign: RunnableCampaign,
  rows: readonly NewStepRow[],
  now: Date,
  queueMessages: QueueCampaignMessages,
): Promise<Map<string, SettledStep>> {
  const byEnrolment = new Map<string, PlannedStep[]>();
  for (const r of rows) byEnrolment.set(r.enrolment, [...(byEnrolment.get(r.enrolment) ?? []), r.step]);
  const dueKeys = new Set<string>();
  for (const steps of byEnrolment.values()) {
    const due = messageDueAtPlanning(steps, now);
    if (due) dueKeys.add(due.key);
  }
  const due = rows.filter((r) => dueKeys.has(r.key));
  const settled = new Map<string, SettledStep>();
  if (!due.length) return settled;
  const results = await queueMessages(
    tx,
    due.map((r) => {
      if (r.step.action.type !== "send_message") throw new Error(`step ${r.key} is not a message`);
      return {
        tenantId: campaign.tenantId,
        customerId: r.customer,
        campaignId: campaign.id,
        stepKey: r.key,
        templateId: r.step.action.templateId,
        channel: r.step.action.channel,
        sendAt: r.step.runAt,
        deliveryZone: r.step.zone,
      };
    }),
  );
  due.forEach((r, i) => {
    const result = results[i]!;
    if (result.messageId !== null)
      settled.set(r.key, { status: "done", reason: null, result: JSON.stringify({ messageId: result.messageId }) });
    else if ("skipped" in result) settled.set(r.key, { status: "skipped", reason: result.skipped, result: null });
  });
  return settled;
}
