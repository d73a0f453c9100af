import { ConsentChannel } from "@regulars/contracts";
import { MessageTemplate } from "@regulars/messaging";
import { z } from "zod";

const TemplateId = z.string().regex(/^tpl_[a-z0-9]{10,40}$/, "must be a message template id (tpl_...)");
const CustomerId = z.string().regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)");
const Name = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const Variants = z
  .array(MessageTemplate)
  .min(1, "give at least one variant")
  .max(30, "at most 30 languages")
  .describe("one template per language, all of the template's channel; Liquid variables are checked when saved");

export const CreateTemplateInput = z.strictObject({ name: Name, channel: ConsentChannel, variants: Variants });

/** Each save is a new version; the channel of a template never changes (make another template). */
export const UpdateTemplateInput = z.strictObject({
  id: TemplateId,
  name: Name.optional(),
  variants: Variants.optional(),
});

export const TemplateIdInput = z.strictObject({ id: TemplateId });

export const ListTemplatesInput = z
  .strictObject({
    channel: ConsentChannel.optional(),
    includeArchived: z.boolean().default(false),
  })
  .prefault({});

export const PreviewTemplateInput = z.strictObject({
  templateId: TemplateId,
  customerId: CustomerId,
  language: z.string().min(2).max(35).optional().describe("the variant for this language, by the fallback rule"),
  sampleCoupon: z.boolean().default(false).describe("render {{ coupon.code }} with a sample code"),
});
