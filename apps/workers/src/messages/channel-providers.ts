import type { Channel, MessageProvider, OutgoingMessage, SendOptions, SendResult } from "@regulars/messaging";

/** A provider for channel `C`: one of that channel alone, or one that takes every channel (development). */
type For<C extends Channel> = MessageProvider<C> | MessageProvider<Channel>;

/**
 * The provider of each channel, as the settings name them; web push devices may have a provider of their own
 * (browsers go through web push with VAPID, apps through FCM), else they go to the push provider.
 */
export interface ChannelProviders {
  email: For<"email">;
  sms: For<"sms">;
  push: For<"push">;
  webPush?: For<"push">;
}

/** The provider a message goes to, and its send bound to that message. */
export function routeMessage(
  providers: ChannelProviders,
  message: OutgoingMessage,
): { name: string; send: (options?: SendOptions) => Promise<SendResult> } {
  const provider: { name: string; send: (m: never, options?: SendOptions) => Promise<SendResult> } =
    message.channel === "push" && message.to.platform === "web" && providers.webPush
      ? providers.webPush
      : providers[message.channel];
  // Routed by the message's own channel above, so the provider takes this message.
  const send = provider.send.bind(provider) as (m: OutgoingMessage, options?: SendOptions) => Promise<SendResult>;
  return { name: provider.name, send: (options) => send(message, options) };
}

/** Ends what the providers hold open (SMTP pools), each once. */
export function closeProviders(providers: ChannelProviders): void {
  for (const provider of new Set(Object.values(providers))) provider?.close?.();
}
