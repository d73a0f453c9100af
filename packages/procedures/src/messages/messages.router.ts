import { listMessages } from "@regulars/campaigns-store";
import { allowedTo, router } from "../trpc.ts";
import { ListMessagesInput } from "./messages.types.ts";

const readers = allowedTo("readCampaigns");

export const messagesRouter = router({
  /** A customer's or a campaign's messages, newest first: status, channel, times and why one failed. */
  list: readers
    .input(ListMessagesInput)
    .query(({ ctx, input }) =>
      listMessages(ctx.db, ctx.tenantId, input, { withLastError: ctx.credential.role === "admin" }),
    ),
});
