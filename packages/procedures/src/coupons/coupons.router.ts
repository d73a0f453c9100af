import {
  campaignCodeRoom,
  campaignStats,
  codeLinesFromCsv,
  createCampaign,
  generateCampaignCodes,
  getCampaign,
  importCodes,
  issueCouponAsAdmin,
  listCampaigns,
  numberedLines,
  setCampaignStatus,
  updateCampaign,
  walletCoupons,
} from "@regulars/checkout-store";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { survivorIdOf } from "../customers/customers.survivor.ts";
import { allowedTo, router } from "../trpc.ts";
import {
  CampaignIdInput,
  CreateCampaignInput,
  GenerateCodesInput,
  ImportCodesInput,
  IssueCouponInput,
  ListCampaignsInput,
  MAX_IMPORT_LINES,
  UpdateCampaignInput,
  WalletInput,
} from "./coupons.types.ts";

const admin = allowedTo("changeCoupons");

/** The lines of an import: a list as given, or a CSV file's first column, either at most MAX_IMPORT_LINES. */
function importLines(input: { codes?: string[] | undefined; csvLines?: string[] | undefined }) {
  if (input.codes) return numberedLines(input.codes);
  const lines = codeLinesFromCsv(input.csvLines ?? []);
  if (lines.length > MAX_IMPORT_LINES) {
    const message = `holds ${lines.length} codes; import at most ${MAX_IMPORT_LINES} at a time`;
    throw new DomainError("invalid_request", `csvLines ${message}`, [{ path: "csvLines", message }]);
  }
  return lines;
}

/** Coupon campaigns for the brand's marketing staff: every change is audited under the calling key. */
export const couponsRouter = router({
  create: admin
    .input(CreateCampaignInput)
    .mutation(({ ctx, input }) => createCampaign(ctx.db, ctx.tenantId, input, ctx.credential.keyId)),
  update: admin
    .input(UpdateCampaignInput)
    .mutation(({ ctx, input }) => updateCampaign(ctx.db, ctx.tenantId, input.id, input.patch, ctx.credential.keyId)),
  pause: admin
    .input(CampaignIdInput)
    .mutation(({ ctx, input }) => setCampaignStatus(ctx.db, ctx.tenantId, input.id, "paused", ctx.credential.keyId)),
  resume: admin
    .input(CampaignIdInput)
    .mutation(({ ctx, input }) => setCampaignStatus(ctx.db, ctx.tenantId, input.id, "active", ctx.credential.keyId)),
  get: admin.input(CampaignIdInput).query(({ ctx, input }) => getCampaign(ctx.db, ctx.tenantId, input.id)),
  list: admin.input(ListCampaignsInput).query(({ ctx, input }) => listCampaigns(ctx.db, ctx.tenantId, input)),

  generateCodes: admin.input(GenerateCodesInput).mutation(({ ctx, input }) =>
    generateCampaignCodes(ctx.db, ctx.tenantId, input.id, input.count, ctx.credential.keyId, {
      requestKey: input.requestKey,
    }),
  ),
  /** How many more codes the campaign's pattern can take: the admin checks a whole request before its first chunk. */
  codeRoom: admin.input(CampaignIdInput).query(({ ctx, input }) => campaignCodeRoom(ctx.db, ctx.tenantId, input.id)),
  importCodes: admin
    .input(ImportCodesInput)
    .mutation(({ ctx, input }) =>
      importCodes(ctx.db, ctx.tenantId, input.id, importLines(input), ctx.credential.keyId),
    ),

  // By a merged-away id, the survivor's wallet: the merge moved the wallet coupons there and the tills find it.
  issue: admin.input(IssueCouponInput).mutation(async ({ ctx, input }) =>
    issueCouponAsAdmin(
      ctx.db,
      {
        tenantId: ctx.tenantId,
        customerId: await survivorIdOf(ctx.db, ctx.tenantId, input.customerId),
        campaignId: input.id,
        issueKey: `admin:${input.issueKey ?? newId("request")}`,
      },
      ctx.credential.keyId,
    ),
  ),
  wallet: admin
    .input(WalletInput)
    .query(async ({ ctx, input }) =>
      walletCoupons(ctx.db, ctx.tenantId, await survivorIdOf(ctx.db, ctx.tenantId, input.customerId)),
    ),
  stats: admin.input(CampaignIdInput).query(({ ctx, input }) => campaignStats(ctx.db, ctx.tenantId, input.id)),
});
