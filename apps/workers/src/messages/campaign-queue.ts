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
 * saved) and the links tracked as the settings say. The variables are read beside the step's transaction: they are
 * the customer's committed state, and the coupon the enrolment issued comes with the step.
 */
export function campaignMessageQueue(db: Db, tracking: MessageTrackingInput | null | undefined): QueueCampaignMessage {
  return async (tx, input) => {
    const variables = await customerMessageVariables(db, input.tenantId, input.customerId);
    if (!variables) return { messageId: null, skipped: "no_address" };
    return queueCampaignMessage(tx, { ...input, variables }, { tracking: tracking ?? null });
  };
}

/** The same for a batch of steps (a broadcast): the variables of all their customers read in a few statements. */
export function campaignMessagesQueue(
  db: Db,
  tracking: MessageTrackingInput | null | undefined,
): QueueCampaignMessages {
  return (tx, inputs) =>
    queueCampaignMessages(tx, inputs, {
      tracking: tracking ?? null,
      variables: (tenantId, customerIds) => customersMessageVariables(db, tenantId, customerIds),
    });
}
