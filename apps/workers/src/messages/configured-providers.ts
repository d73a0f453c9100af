import type { Db } from "@regulars/db";
import { createProvider, devMessagesTableSink, type ProviderConfig } from "@regulars/messaging-providers";
import type { MessageSettings } from "@regulars/runtime";
import type { ChannelProviders } from "./channel-providers.ts";

const development: ProviderConfig = { kind: "development" };

/**
 * The providers the settings name, one per channel; a channel with none set goes to the development provider,
 * which records in `dev_messages`, so a start with no settings sends to nobody and shows what it would have sent.
 */
export function configuredProviders(
  settings: MessageSettings,
  db: Db,
  pushEndpoints: { allowPrivateNetworks: boolean },
): ChannelProviders {
  // A browser's push endpoint comes from the customer's device: private networks only where webhooks may reach them.
  const deps = {
    devSink: devMessagesTableSink(db),
    webPush: { urlPolicy: pushEndpoints },
    // A provider still sending after the sender gave up would deliver what the sender then retries.
    sendTimeoutMs: settings.MESSAGE_SEND_TIMEOUT_MS,
  };
  const build = (config: ProviderConfig | undefined) => createProvider(config ?? development, deps);
  return {
    email: build(settings.MESSAGE_PROVIDER_EMAIL),
    sms: build(settings.MESSAGE_PROVIDER_SMS),
    push: build(settings.MESSAGE_PROVIDER_PUSH),
    ...(settings.MESSAGE_PROVIDER_WEB_PUSH ? { webPush: build(settings.MESSAGE_PROVIDER_WEB_PUSH) } : {}),
  };
}
