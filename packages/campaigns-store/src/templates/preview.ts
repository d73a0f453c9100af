import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { type ComposedMessage, chooseTemplate, composeMessage, type MessageVariables } from "@regulars/messaging";
import { templateRow, toTemplateView } from "./templates.ts";
import { customerMessageVariables } from "./variables.ts";

export interface PreviewInput {
  templateId: string;
  customerId: string;
  /** The variant to render, by the fallback rule of `chooseTemplate`; the first variant when absent. */
  language?: string;
  /** Render with a sample coupon, as a campaign step that issues one before the message would. */
  sampleCoupon?: boolean;
}

export interface TemplatePreview {
  templateId: string;
  version: number;
  language: string;
  variables: MessageVariables;
  message: ComposedMessage;
}

/** What the sample coupon reads in a preview: plainly not a code anyone can use. */
export const sampleCoupon = { code: "SAMPLE-CODE", title: "Sample coupon" } as const;

/**
 * A template variant rendered with a real customer's data, as a campaign would render it (links untracked).
 * A variable the customer's data lacks is the renderer's `unprocessable` error naming the field.
 */
export async function previewTemplate(db: Db, tenantId: string, input: PreviewInput, now = new Date()) {
  const template = toTemplateView(await templateRow(db, tenantId, input.templateId));
  const variant = input.language
    ? chooseTemplate(template.variants, input.language, template.variants[0]!.language)
    : template.variants[0];
  if (!variant) throw new DomainError("not_found", `template ${template.id} has no variants`);
  const variables = await customerMessageVariables(db, tenantId, input.customerId, {
    now,
    ...(input.sampleCoupon ? { coupon: { ...sampleCoupon } } : {}),
  });
  if (!variables)
    throw new DomainError("not_found", `no customer ${input.customerId}`, [
      { path: "customerId", message: "no such customer" },
    ]);
  // Dates as the customer would read them: on the tenant's clock, as queued messages are rendered.
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  const message = composeMessage(variant, variables, { messageId: "preview", timeZone: tenant?.timezone });
  const preview: TemplatePreview = {
    templateId: template.id,
    version: template.version,
    language: variant.language,
    variables,
    message,
  };
  return preview;
}
