import { DomainError } from "@regulars/errors";
import type { Template } from "liquidjs";
import {
  describeLiquidError,
  engineFor,
  isLimitBroken,
  parseField,
  renderParsed,
  type TemplateIssue,
} from "./liquid.ts";
import { MessageTemplate, type MessageTemplateInput, templateFields } from "./template.ts";
import { isKnownVariable, sampleVariables } from "./variables.ts";

/**
 * Checks a template when it is saved: its shape (zod), its Liquid syntax and filters, that every
 * variable it reads from outside (not one it assigns or loops over itself) is in the catalogue, and that it
 * renders with sample variables within the render limits. Returns every issue at once, so an editor fixes
 * them in one go; an empty list means the template is good.
 */
export function templateIssues(input: unknown): TemplateIssue[] {
  const parsed = MessageTemplate.safeParse(input);
  if (!parsed.success)
    return parsed.error.issues.map((i) => ({ field: i.path.map(String).join(".") || "template", message: i.message }));
  const issues: TemplateIssue[] = [];
  for (const { field, source, html } of templateFields(parsed.data)) {
    const parsedField = parseField(field, source, html);
    if (!Array.isArray(parsedField)) {
      issues.push(parsedField);
      continue;
    }
    const seen = new Set<string>();
    for (const segments of engineFor(html).globalVariableSegmentsSync(parsedField)) {
      const name = segments.map((s) => (typeof s === "string" || typeof s === "number" ? s : "[…]")).join(".");
      if (seen.has(name) || isKnownVariable(segments)) continue;
      seen.add(name);
      issues.push({ field, message: segments[0] === "links" ? noDeepLinks(name) : `unknown variable ${name}` });
    }
    const overLimit = seen.size === 0 && brokenLimit(parsedField, html);
    if (overLimit) issues.push({ field, message: overLimit });
  }
  return issues;
}

// Nothing gives a message named links: no brand setting holds them, so such a template would fail every send.
const noDeepLinks = (name: string): string =>
  `no deep link ${name}: a brand has no named links to fill it in; write the address itself ` +
  "(https://… or an app link such as brand://menu)";

/** The first render limit the field breaks with a sample customer, in words; errors the data would cause are not. */
function brokenLimit(parsed: Template[], html: boolean): string | false {
  for (const variables of sampleVariables)
    try {
      // A copy: `{% increment coupon %}` writes into the variables it is given, and the samples serve every tenant.
      renderParsed(parsed, html, structuredClone(variables));
    } catch (e) {
      if (isLimitBroken(e)) return describeLiquidError(e);
    }
  return false;
}

/** The template as saved, or a `DomainError` (`invalid_request`) naming each field and what is wrong with it. */
export function validateTemplate(input: MessageTemplateInput | unknown): MessageTemplate {
  const issues = templateIssues(input);
  if (issues.length > 0)
    throw new DomainError(
      "invalid_request",
      `The template cannot be saved: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
      issues.map((i) => ({ path: i.field, message: i.message })),
    );
  return MessageTemplate.parse(input);
}

/**
 * A message's templates, one per language, all for one channel: what a campaign step saves. Issues carry
 * the template's position (`1.subject`), and a language written twice is an issue of its own.
 */
export function templateSetIssues(input: unknown): TemplateIssue[] {
  if (!Array.isArray(input) || input.length === 0) return [{ field: "templates", message: "at least one template" }];
  const issues = input.flatMap((t, i) =>
    templateIssues(t).map((issue) => ({ ...issue, field: `${i}.${issue.field}` })),
  );
  const valid = input.flatMap((t, i) => {
    const parsed = MessageTemplate.safeParse(t);
    return parsed.success ? [{ template: parsed.data, position: i }] : [];
  });
  const channels = new Set(valid.map((v) => v.template.channel));
  if (channels.size > 1)
    issues.push({ field: "templates", message: `one channel per message, not ${[...channels].join(" and ")}` });
  const seen = new Set<string>();
  for (const { template, position } of valid) {
    const language = template.language.toLowerCase();
    if (seen.has(language))
      issues.push({ field: `${position}.language`, message: `${template.language} is written twice` });
    seen.add(language);
  }
  return issues;
}

/** The templates as saved, or one `DomainError` (`invalid_request`) listing every issue. */
export function validateTemplateSet(input: unknown): MessageTemplate[] {
  const issues = templateSetIssues(input);
  if (issues.length > 0)
    throw new DomainError(
      "invalid_request",
      `The templates cannot be saved: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
      issues.map((i) => ({ path: i.field, message: i.message })),
    );
  return (input as unknown[]).map((t) => MessageTemplate.parse(t));
}
