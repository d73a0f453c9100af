import { z } from "zod";

export const ListAuditInput = z
  .object({
    /** The `nextCursor` of the previous page. */
    cursor: z.string().nullish(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .prefault({});

export interface AuditEntry {
  id: string;
  /** The API key id that made the change. */
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  createdAt: string;
}
