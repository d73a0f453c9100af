import { RejectionCode } from "@regulars/contracts";
import { z } from "zod";

// Not strict: tRPC's infinite queries add `direction` beside the cursor.
export const ListRejectionsInput = z
  .object({
    code: RejectionCode.optional().describe("only rejections with this reason code"),
    cursor: z.string().max(500).nullish().describe("the nextCursor of the previous page"),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .prefault({});
