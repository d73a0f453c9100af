import type { MessageTrackingInput } from "@regulars/messages-store";
import { developmentProvider, devMessagesTableSink } from "@regulars/messaging-providers";
import type { ChannelProviders } from "./channel-providers.ts";
import { closeProviders } from "./channel-providers.ts";
import { createMessageSender, type MessageSenderOptions } from "./message-sender.ts";

export type MessagesWorkerOptions = Omit<MessageSenderOptions, "providers"> & {
  providers?: ChannelProviders;
  /**
   * Where the links of messages queued in this process point and how they are signed (`queueCampaignMessage`'s
   * `tracking`, for the campaign runner); null: links go out untracked. The sender itself sends what was rendered.
   */
  tracking?: MessageTrackingInput | null;
};

/**
 * The message sender of a workers process. Without configured providers every channel goes to the development
 * provider, which records messages in `dev_messages`: a fresh checkout sends (to nobody) with no settings.
 */
export function startMessages(opts: MessagesWorkerOptions): { stop(): Promise<void> } {
  const development = developmentProvider({ sink: devMessagesTableSink(opts.db) });
  const providers = opts.providers ?? { email: development, sms: development, push: development };
  const sender = createMessageSender({ ...opts, providers });
  sender.start();
  return {
    async stop() {
      await sender.stop();
      closeProviders(providers);
    },
  };
}
