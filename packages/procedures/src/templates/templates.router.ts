import {
  archiveTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  updateTemplate,
} from "@regulars/campaigns-store";
import { withSurvivor } from "../customers/customers.survivor.ts";
import { allowedTo, router } from "../trpc.ts";
import {
  CreateTemplateInput,
  ListTemplatesInput,
  PreviewTemplateInput,
  TemplateIdInput,
  UpdateTemplateInput,
} from "./templates.types.ts";

const readers = allowedTo("readCampaigns");
const admins = allowedTo("changeCampaigns");

/** Message templates: one channel, one variant per language, checked when saved, versioned on every save. */
export const templatesRouter = router({
  /** A new template as version 1; every unknown variable or Liquid error is named by its field. */
  create: admins
    .input(CreateTemplateInput)
    .mutation(({ ctx, input }) => createTemplate(ctx.db, ctx.tenantId, input, ctx.credential.keyId)),

  /** A new version of the name or the variants; an archived template cannot change. */
  update: admins
    .input(UpdateTemplateInput)
    .mutation(({ ctx, input: { id, ...patch } }) =>
      updateTemplate(ctx.db, ctx.tenantId, id, patch, ctx.credential.keyId),
    ),

  get: readers.input(TemplateIdInput).query(({ ctx, input }) => getTemplate(ctx.db, ctx.tenantId, input.id)),

  /** Newest first, of one channel when given; archived ones only with `includeArchived`. */
  list: readers.input(ListTemplatesInput).query(({ ctx, input }) => listTemplates(ctx.db, ctx.tenantId, input)),

  /** No longer offered or sent; refused while a campaign that is not archived sends it. */
  archive: admins
    .input(TemplateIdInput)
    .mutation(({ ctx, input }) => archiveTemplate(ctx.db, ctx.tenantId, input.id, ctx.credential.keyId)),

  /**
   * A variant rendered with a real customer's data, as a campaign would send it; nothing is saved or sent.
   * Admins only: the answer holds the customer's name, which analyst keys never read. By a merged-away id, as the
   * survivor (the account a message would reach) would read it.
   */
  preview: admins
    .input(PreviewTemplateInput)
    .query(async ({ ctx, input }) =>
      previewTemplate(ctx.db, ctx.tenantId, await withSurvivor(ctx.db, ctx.tenantId, input)),
    ),
});
