import {
  campaignResults,
  campaignVersion,
  campaignVersions,
  createCampaign,
  getCampaign,
  listCampaigns,
  setCampaignStatus,
  updateCampaign,
} from "@regulars/campaigns-store";
import type { CampaignStatus } from "@regulars/contracts";
import { analyticsOf } from "../analytics-target.ts";
import { allowedTo, router } from "../trpc.ts";
import {
  CampaignIdInput,
  CampaignResultsInput,
  CampaignVersionInput,
  CreateCampaignInput,
  ListCampaignsInput,
  SetCampaignStatusInput,
  UpdateCampaignInput,
} from "./campaigns.types.ts";

const readers = allowedTo("readCampaigns");
const admins = allowedTo("changeCampaigns");

/** One status move, under the name the admin app's buttons use. */
const move = (to: CampaignStatus) =>
  admins
    .input(CampaignIdInput)
    .mutation(({ ctx, input }) => setCampaignStatus(ctx.db, ctx.tenantId, input.id, to, ctx.credential.keyId));

/**
 * Campaigns: definitions saved as versions, status moves by the lifecycle's rules, and results. Every change
 * is audited; what a definition names (templates, segments, coupon campaigns) must be the tenant's.
 */
export const campaignsRouter = router({
  /** A new campaign from its definition, saved as version 1, in the definition's status. */
  create: admins
    .input(CreateCampaignInput)
    .mutation(({ ctx, input }) => createCampaign(ctx.db, ctx.tenantId, input, ctx.credential.keyId)),

  /** The definition saved as a new version; refused once archived. */
  update: admins
    .input(UpdateCampaignInput)
    .mutation(({ ctx, input }) =>
      updateCampaign(ctx.db, ctx.tenantId, input.id, input.definition, ctx.credential.keyId),
    ),

  /** The campaign with its current definition and the list of its versions. */
  get: readers.input(CampaignIdInput).query(({ ctx, input }) => getCampaign(ctx.db, ctx.tenantId, input.id)),

  /** Every saved version, newest first; one version's definition with `version`. */
  versions: readers.input(CampaignIdInput).query(({ ctx, input }) => campaignVersions(ctx.db, ctx.tenantId, input.id)),
  version: readers
    .input(CampaignVersionInput)
    .query(({ ctx, input }) => campaignVersion(ctx.db, ctx.tenantId, input.id, input.version)),

  /** Newest first, filtered by status and trigger type, a page at a time. */
  list: readers.input(ListCampaignsInput).query(({ ctx, input }) => listCampaigns(ctx.db, ctx.tenantId, input)),

  /** Any move the lifecycle allows; moving to the status it has changes nothing. */
  setStatus: admins
    .input(SetCampaignStatusInput)
    .mutation(({ ctx, input }) =>
      setCampaignStatus(ctx.db, ctx.tenantId, input.id, input.status, ctx.credential.keyId),
    ),
  /** A broadcast waits for its first run. */
  schedule: move("scheduled"),
  activate: move("active"),
  /** Nothing new starts; steps already planned wait for a resume. */
  pause: move("paused"),
  resume: move("active"),
  /** Ended for good: planned steps are cancelled and the results stay as they are. */
  archive: move("archived"),

  /** Reach, messages, coupons and conversions against the control group, counted in ClickHouse. */
  results: readers.input(CampaignResultsInput).query(({ ctx, input }) =>
    campaignResults({ db: ctx.db, analytics: analyticsOf(ctx) }, ctx.tenantId, input.id, {
      conversionDays: input.conversionDays,
    }),
  ),
});
