import {
  customerMessageVariables,
  customersMessageVariables,
  type QueueCampaignMessage,
  type QueueCampaignMessages,
} from "@regulars/campaigns-store";
import type { Db } from "@regulars/db";
import { type MessageTrackingInput, queueCampaignMessage, queueCampaignMessages } from "@regulars/messages-store";

/**
 * How the campaign runner queues a step's message in this process: with the customer's full variables (tier, the
 * gap to the next tier; what the admin's preview shows, since templates are checked against all of them when
 * saved) and the links tracked as the settings say. The variables are read in the step's transaction, on its
 * connection: read beside it, on others of the pool, the executor's claims in flight each held a connection while
 * waiting for more, and a small pool starved (seen as a test run stalled for a minute). The coupon the enrolment
 * issued comes with the step.
 */
export function campaignMessageQueue(_db: Db, tracking: MessageTrackingInput | null | undefined): QueueCampaignMessage {
  return async (tx, input) => {
    const variables = await customerMessageVariables(tx, input.tenantId, input.customerId);
    if (!variables) return { messageId: null, skipped: "no_address" };
    return queueCampaignMessage(tx, { ...input, variables }, { tracking: tracking ?? null });
  };
}

/** The same for a batch of steps (a broadcast): the variables of all their customers read in a few statements. */
export function campaignMessagesQueue(
  _db: Db,
  tracking: MessageTrackingInput | null | undefined,
): QueueCampaignMessages {
  return (tx, inputs) =>
    queueCampaignMessages(tx, inputs, {
      tracking: tracking ?? null,
      variables: (tenantId, customerIds) => customersMessageVariables(tx, tenantId, customerIds),
    });
}
