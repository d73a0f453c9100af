import { RejectionCode } from "@regulars/contracts";
import { z } from "zod";

export const ListRejectionsInput = z
  .strictObject({
    code: RejectionCode.optional().describe("only rejections with this reason code"),
    cursor: z.string().max(500).nullish().describe("the nextCursor of the previous page"),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .prefault({});
