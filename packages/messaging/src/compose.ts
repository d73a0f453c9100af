import { type RenderedContent, type RenderOptions, renderTemplate } from "./render.ts";
import { type SmsLength, smsLength } from "./sms-length.ts";
import type { MessageTemplate } from "./template.ts";
import { type LinkTrackingInput, trackLinks, writtenLinks } from "./tracked-links.ts";
import type { MessageVariables } from "./variables.ts";

export interface ComposedMessage {
  content: RenderedContent;
  /** For SMS: the length as sent, tracked links included. */
  sms?: SmsLength;
}

/**
 * A message as it will go out: the template rendered with the customer's variables, then every link the
 * template wrote tracked under the message id (when tracking is set up), then the SMS measured. Links are
 * tracked after rendering so that a link the template continues in Liquid (`…/menu?c={{ coupon.code }}`) is
 * signed with what it was filled with; a link that only a variable brought (a customer who gave a web
 * address as their name) is left as text, since a signed link is a redirect the tracker follows forever.
 */
export function composeMessage(
  template: MessageTemplate,
  variables: MessageVariables,
  options: { messageId: string; tracking?: LinkTrackingInput } & RenderOptions,
): ComposedMessage {
  const rendered = renderTemplate(template, variables, { timeZone: options.timeZone });
  const content = options.tracking
    ? trackLinks(rendered, options.tracking, options.messageId, writtenLinks(template))
    : rendered;
  return content.channel === "sms" ? { content, sms: smsLength(content.body) } : { content };
}
