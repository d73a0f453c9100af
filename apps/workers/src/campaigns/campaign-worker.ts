import type { Outcome } from "@regulars/bus";
import { ActiveCampaignCache } from "@regulars/campaigns-store";
import type { FrequencyCap } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { queueCampaignMessage } from "@regulars/messages-store";
import { ProgrammeCache } from "@regulars/programme";
import { createStepExecutor, type StepExecutor, type StepExecutorOptions } from "./step-executor.ts";
import { CampaignTriggerMessage, enrolTriggerBatch } from "./trigger-consumer.ts";
import { logUnreadableCampaigns } from "./unreadable-campaigns.ts";

export type CampaignWorkerOptions = Partial<
  Pick<
    StepExecutorOptions,
    "batch" | "claimMs" | "pollMs" | "now" | "tenantIds" | "retry" | "holdMs" | "queueMessage" | "queueMessages"
  >
> & {
  /** How long a tenant's list of active campaigns is trusted before it is checked again. */
  cacheTtlMs?: number;
  /** The tenant's own caps, which hold for every campaign beside the campaign's (the message sender's, too). */
  tenantCaps?: (tenantId: string) => Promise<readonly FrequencyCap[]>;
};

/**
 * The campaigns worker's two halves over one clock: the handler of the `campaign-triggers` durable and the step
 * executor. Each batch looks at the tenants' active campaigns again (one indexed query per tenant, definitions
 * reloaded only when a version moved), so a campaign activated a moment ago hears the next events. A trigger batch
 * that planned steps wakes the executor, so an immediate coupon does not wait for a poll.
 */
export function startCampaignWorker(
  opts: CampaignWorkerOptions & { db: Db; log: Logger; publish: (items: OutboxItem[]) => Promise<void> },
): {
  schema: typeof CampaignTriggerMessage;
  handle: (items: CampaignTriggerMessage[]) => Promise<Outcome[]>;
  executor: StepExecutor;
} {
  const now = opts.now ?? (() => new Date());
  const cache = new ActiveCampaignCache(opts.db, opts.cacheTtlMs, logUnreadableCampaigns(opts.log));
  const executor = createStepExecutor({
    ...opts,
    now,
    programmes: new ProgrammeCache(opts.db),
    queueMessage: opts.queueMessage ?? ((tx, input) => queueCampaignMessage(tx, input)),
  });
  return {
    schema: CampaignTriggerMessage,
    handle: async (items) => {
      cache.expire();
      let planned = 0;
      const outcomes = await enrolTriggerBatch(
        opts.db,
        cache,
        items,
        now,
        async (outbox) => {
          planned += outbox.length;
          await opts.publish(outbox);
        },
        opts.tenantCaps,
      );
      if (planned) executor.wake();
      return outcomes;
    },
    executor,
  };
}
