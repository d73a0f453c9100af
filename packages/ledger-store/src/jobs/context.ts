import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import type { OutboxItem } from "../outbox.ts";

export interface JobContext {
  db: Db;
  log: Logger;
  tenantId: string;
  programme: ProgrammeInForce;
  now: Date;
  /**
   * How old an `occurredAt` the gateway accepts (the deployment's OCCURRED_AT_MAX_AGE_DAYS): how long a sale judged on
   * older tiers can still arrive, which the tier pass weighs (`defaultOccurredAtWindow` when absent).
   */
  occurredAtMaxAgeDays?: number;
  /**
   * Publishes events already committed. A paged job hands each page's events here after its commit, so a pass over
   * a large tenant holds one page of them, not all, and a crash leaves the relay only the page in hand. Without it,
   * they come back in the result (`handOverCommitted`).
   */
  publish?: (items: OutboxItem[]) => Promise<void>;
}

/** What a job did: counts for the log, and committed domain events to publish. */
export interface JobResult {
  acted: number;
  outbox: OutboxItem[];
}

/** A committed page's events: published at once when the job has `publish`, else kept for the result. */
export async function handOverCommitted(ctx: JobContext, result: JobResult, items: OutboxItem[]): Promise<void> {
  if (!items.length) return;
  if (ctx.publish) await ctx.publish(items);
  else result.outbox.push(...items);
}

/** Jobs work through large tenants in slices, each slice its own short transaction. */
export const SLICE = 1_000;
