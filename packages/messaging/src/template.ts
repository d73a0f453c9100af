import { z } from "zod";
import { LanguageTag } from "./channels.ts";

const liquid = (max: number) => z.string().trim().min(1).max(max);

/**
 * A body of several lines: one string, or its lines. No string of a procedure's input may hold a line break (the
 * API's one input guard refuses control characters in every field), so an editor sends a multi-line body as its
 * lines, as the analyst's SQL is sent; it is stored and rendered as one text.
 */
const multiline = (max: number) =>
  z
    .union([z.string(), z.array(z.string()).min(1).max(max)])
    .transform((body) => (Array.isArray(body) ? body.join("\n") : body))
    .pipe(liquid(max));

export const EmailTemplate = z.object({
  channel: z.literal("email"),
  language: LanguageTag,
  subject: liquid(300),
  /** HTML (variables are HTML-escaped) or plain text. */
  format: z.enum(["html", "text"]).default("html"),
  body: multiline(100_000),
});

export const SmsTemplate = z.object({
  channel: z.literal("sms"),
  language: LanguageTag,
  body: multiline(1_600),
});

export const PushTemplate = z.object({
  channel: z.literal("push"),
  language: LanguageTag,
  title: liquid(200),
  body: multiline(1_000),
  /** Where a tap on the notification leads: a web address or an app link (`brand://profile`), written out. */
  url: liquid(2_000).optional(),
});

/** A message template: one channel, one language. A campaign's message holds one per language it speaks. */
export const MessageTemplate = z.discriminatedUnion("channel", [EmailTemplate, SmsTemplate, PushTemplate]);
export type MessageTemplate = z.infer<typeof MessageTemplate>;
export type MessageTemplateInput = z.input<typeof MessageTemplate>;
export type EmailTemplate = z.infer<typeof EmailTemplate>;
export type SmsTemplate = z.infer<typeof SmsTemplate>;
export type PushTemplate = z.infer<typeof PushTemplate>;

/** The Liquid fields of a template, by name, in the order they are reported. */
export function templateFields(template: MessageTemplate): { field: string; source: string; html: boolean }[] {
  switch (template.channel) {
    case "email":
      return [
        { field: "subject", source: template.subject, html: false },
        { field: "body", source: template.body, html: template.format === "html" },
      ];
    case "sms":
      return [{ field: "body", source: template.body, html: false }];
    case "push": {
      const fields = [
        { field: "title", source: template.title, html: false },
        { field: "body", source: template.body, html: false },
      ];
      if (template.url) fields.push({ field: "url", source: template.url, html: false });
      return fields;
    }
  }
}
