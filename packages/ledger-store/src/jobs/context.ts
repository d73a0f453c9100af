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
}

/** What a job did: counts for the log, and committed domain events to publish. */
export interface JobResult {
  acted: number;
  outbox: OutboxItem[];
}

/** Jobs work through large tenants in slices, each slice its own short transaction. */
export const SLICE = 1_000;
