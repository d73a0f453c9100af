import { type RenderedContent, renderTemplate } from "./render.ts";
import { type SmsLength, smsLength } from "./sms-length.ts";
import type { MessageTemplate } from "./template.ts";
import { type LinkTrackingInput, trackLinks } from "./tracked-links.ts";
import type { MessageVariables } from "./variables.ts";

export interface ComposedMessage {
  content: RenderedContent;
  /** For SMS: the length as sent, tracked links included. */
  sms?: SmsLength;
}

/**
 * A message as it will go out: the template rendered with the customer's variables, then every link
 * tracked under the message id (when tracking is set up), then the SMS measured. Links are tracked after
 * rendering so that links coming from variables (deep links) are tracked too.
 */
export function composeMessage(
  template: MessageTemplate,
  variables: MessageVariables,
  options: { messageId: string; tracking?: LinkTrackingInput },
): ComposedMessage {
  const rendered = renderTemplate(template, variables);
  const content = options.tracking ? trackLinks(rendered, options.tracking, options.messageId) : rendered;
  return content.channel === "sms" ? { content, sms: smsLength(content.body) } : { content };
}
