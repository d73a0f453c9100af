import { DomainError } from "@regulars/errors";
import { describeLiquidError, type RenderSetting, renderField } from "./liquid.ts";
import type { MessageTemplate } from "./template.ts";
import { MessageVariables } from "./variables.ts";

export type RenderedContent =
  | { channel: "email"; subject: string; html?: string; text?: string }
  | { channel: "sms"; body: string }
  | { channel: "push"; title: string; body: string; url?: string };

/** Where the message's reader is: dates are written in this zone (the tenant's, or the location's). */
export interface RenderOptions {
  /** An IANA zone; UTC when absent, never the server's. */
  timeZone?: string | undefined;
}

/**
 * Renders a template with one customer's variables. Strict: a variable the template needs and the data
 * lacks (a coupon code when no coupon was issued) is a `DomainError` (`unprocessable`) naming the field
 * and the variable, so the message is not sent half-filled. Subjects, SMS and push texts are plain text;
 * an HTML e-mail body has every variable HTML-escaped. Dates (`date`) are written in `timeZone` and in the
 * template's language.
 */
export function renderTemplate(
  template: MessageTemplate,
  variables: MessageVariables,
  options: RenderOptions = {},
): RenderedContent {
  const parsed = MessageVariables.safeParse(variables);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new DomainError("invalid_request", `Message variables are not valid: ${issues.join("; ")}`);
  }
  const scope = parsed.data;
  const setting: RenderSetting = { timeZone: options.timeZone, language: template.language };
  const render = (field: string, source: string, html = false): string => {
    try {
      return renderField(source, html, scope, setting);
    } catch (e) {
      const issue = describeLiquidError(e);
      throw new DomainError("unprocessable", `Template ${field}: ${issue}`, [{ path: field, message: issue }]);
    }
  };
  switch (template.channel) {
    case "email": {
      const subject = oneLine(render("subject", template.subject));
      const body = render("body", template.body, template.format === "html");
      return template.format === "html"
        ? { channel: "email", subject, html: body }
        : { channel: "email", subject, text: body };
    }
    case "sms":
      return { channel: "sms", body: render("body", template.body).trim() };
    case "push": {
      const title = oneLine(render("title", template.title));
      const body = render("body", template.body).trim();
      const url = template.url === undefined ? undefined : render("url", template.url).trim();
      return url ? { channel: "push", title, body, url } : { channel: "push", title, body };
    }
  }
}

// A subject or title is one header line: a line break from a variable would end it (or inject a header).
const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim();
