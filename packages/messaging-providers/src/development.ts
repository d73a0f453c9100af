import type { Channel, MessageProvider, OutgoingMessage, SendFailure } from "@regulars/messaging";
import { z } from "zod";
import { checkedMessage } from "./checked.ts";

export const DevelopmentProviderConfig = z.object({ kind: z.literal("development") });

export interface RecordedMessage {
  message: OutgoingMessage;
  providerMessageId: string;
  recordedAt: Date;
}

/** Where the development provider puts what it "sends": memory in tests, `dev_messages` in a running system. */
export interface DevMessageSink {
  record(entry: RecordedMessage): Promise<void>;
}

export function memorySink(): DevMessageSink & { readonly messages: RecordedMessage[] } {
  const messages: RecordedMessage[] = [];
  return {
    messages,
    async record(entry) {
      messages.push(entry);
    },
  };
}

export interface DevelopmentProviderOptions {
  sink: DevMessageSink;
  clock?: () => Date;
  /** A failure to answer for chosen messages instead of recording them: how a test plays a provider outage. */
  failure?: (message: OutgoingMessage) => SendFailure | undefined;
}

/** Sends nothing: records every message in its sink so that developers, tests and the admin can read it. */
export function developmentProvider(options: DevelopmentProviderOptions): MessageProvider<Channel> {
  const channels = ["email", "sms", "push"] as const;
  return {
    name: "development",
    channels,
    async send(input) {
      const checked = checkedMessage(input, channels);
      if (!checked.ok) return checked;
      const failure = options.failure?.(checked.message);
      if (failure) return { ok: false, failure };
      const providerMessageId = `dev_${checked.message.id}`;
      await options.sink.record({
        message: checked.message,
        providerMessageId,
        recordedAt: (options.clock ?? (() => new Date()))(),
      });
      return { ok: true, providerMessageId };
    },
  };
}
