import {
  cancelScheduledVersion,
  changeProgramme,
  edits,
  listVersions,
  programmeAt,
  programmeVersion,
  SimulateInput,
  simulateEarning,
} from "@regulars/programme";
import { allowedTo, roleProcedure, router, type TenantContext } from "../trpc.ts";
import {
  DisableRewardInput,
  DisableRuleInput,
  DisableStampCardInput,
  ProgrammeAtInput,
  SetCapsInput,
  SetExpiryInput,
  SetMilestonesInput,
  SetPendingDaysInput,
  SetRedemptionInput,
  SetTiersInput,
  UpsertRewardInput,
  UpsertRuleInput,
  UpsertStampCardInput,
  VersionInput,
} from "./programme.types.ts";

const reader = allowedTo("readProgramme");
const admin = allowedTo("changeProgramme");

/** Every mutation is one new version plus one audit row, made by the calling key. */
const change = (
  ctx: TenantContext,
  action: string,
  target: string | null,
  edit: edits.ProgrammeEdit,
  when: { effectiveFrom?: string | undefined; alsoScheduled?: boolean | undefined },
) =>
  changeProgramme(ctx.db, {
    tenantId: ctx.tenantId,
    actor: ctx.credential.keyId,
    action: `programme.${action}`,
    target,
    edit,
    effectiveFrom: when.effectiveFrom ? new Date(when.effectiveFrom) : undefined,
    alsoScheduled: when.alsoScheduled,
  });

const at = (input: { at?: string | undefined } | undefined) => (input?.at ? new Date(input.at) : new Date());

export const programmeRouter = router({
  get: reader.input(ProgrammeAtInput).query(({ ctx, input }) => programmeAt(ctx.db, ctx.tenantId, at(input))),
  versions: reader.query(({ ctx }) => listVersions(ctx.db, ctx.tenantId)),
  version: reader.input(VersionInput).query(({ ctx, input }) => programmeVersion(ctx.db, ctx.tenantId, input.version)),
  /** Cancels a version scheduled for the future (deleted, audited; its number is not given again). */
  cancelScheduled: admin.input(VersionInput).mutation(({ ctx, input }) =>
    cancelScheduledVersion(ctx.db, {
      tenantId: ctx.tenantId,
      actor: ctx.credential.keyId,
      version: input.version,
      ...(ctx.occurredAtMaxAheadSeconds !== undefined
        ? { occurredAtMaxAheadSeconds: ctx.occurredAtMaxAheadSeconds }
        : {}),
    }),
  ),

  rules: router({
    list: reader.input(ProgrammeAtInput).query(async ({ ctx, input }) => {
      const { version, effectiveFrom, config } = await programmeAt(ctx.db, ctx.tenantId, at(input));
      return { version, effectiveFrom, rules: config.rules };
    }),
    upsert: admin
      .input(UpsertRuleInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "rules.upsert", input.rule.id, (c) => edits.upsertRule(c, input.rule), input),
      ),
    disable: admin
      .input(DisableRuleInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "rules.disable", input.id, (c) => edits.disableRule(c, input.id), input),
      ),
  }),
  tiers: router({
    set: admin
      .input(SetTiersInput)
      .mutation(({ ctx, input }) => change(ctx, "tiers.set", null, (c) => edits.setTiers(c, input.tiers), input)),
  }),
  expiry: router({
    set: admin
      .input(SetExpiryInput)
      .mutation(({ ctx, input }) => change(ctx, "expiry.set", null, (c) => edits.setExpiry(c, input.expiry), input)),
  }),
  stampCards: router({
    upsert: admin
      .input(UpsertStampCardInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "stampCards.upsert", input.card.id, (c) => edits.upsertStampCard(c, input.card), input),
      ),
    disable: admin
      .input(DisableStampCardInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "stampCards.disable", input.id, (c) => edits.disableStampCard(c, input.id), input),
      ),
  }),
  redemption: router({
    set: admin
      .input(SetRedemptionInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "redemption.set", null, (c) => edits.setRedemption(c, input.redemption), input),
      ),
  }),
  rewards: router({
    upsert: admin
      .input(UpsertRewardInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "rewards.upsert", input.reward.id, (c) => edits.upsertReward(c, input.reward), input),
      ),
    disable: admin
      .input(DisableRewardInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "rewards.disable", input.id, (c) => edits.disableReward(c, input.id), input),
      ),
  }),
  milestones: router({
    set: admin
      .input(SetMilestonesInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "milestones.set", null, (c) => edits.setMilestones(c, input.milestones), input),
      ),
  }),
  caps: router({
    set: admin
      .input(SetCapsInput)
      .mutation(({ ctx, input }) => change(ctx, "caps.set", null, (c) => edits.setCaps(c, input.caps), input)),
  }),
  pendingDays: router({
    set: admin
      .input(SetPendingDaysInput)
      .mutation(({ ctx, input }) =>
        change(ctx, "pendingDays.set", null, (c) => edits.setPendingDays(c, input.days), input),
      ),
  }),

  /** A kiosk may quote "what would I earn" too; it never sees the programme itself. */
  simulate: roleProcedure("admin", "kiosk")
    .input(SimulateInput)
    .query(({ ctx, input }) => simulateEarning(ctx.db, ctx.tenantId, ctx.credential.tenant.timezone, input)),
});
