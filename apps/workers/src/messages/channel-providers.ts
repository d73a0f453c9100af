import type { Channel, MessageProvider, OutgoingMessage } from "@regulars/messaging";

/**
 * The provider of each channel, as the settings name them; web push devices may have a provider of their own
 * (browsers go through web push with VAPID, apps through FCM), else they go to the push provider.
 */
export interface ChannelProviders {
  email: MessageProvider;
  sms: MessageProvider;
  push: MessageProvider;
  webPush?: MessageProvider;
}

export function providerFor(providers: ChannelProviders, message: OutgoingMessage): MessageProvider {
  if (message.channel === "push" && message.to.platform === "web" && providers.webPush) return providers.webPush;
  return providers[message.channel as Channel];
}

/** Ends what the providers hold open (SMTP pools), each once. */
export function closeProviders(providers: ChannelProviders): void {
  for (const provider of new Set(Object.values(providers))) provider?.close?.();
}
