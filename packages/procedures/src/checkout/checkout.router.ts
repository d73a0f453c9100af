import {
  assertBasketChannelAllowed,
  holdCountingUnknownCodes,
  quoteCountingUnknownCodes,
} from "@regulars/checkout-store";
import { HoldRequest, QuoteRequest } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { confirmHold, type HoldDeps, holdView, voidHold } from "@regulars/ledger-store";
import { queueTransactionalSms } from "@regulars/messages-store";
import { programmeInForce } from "@regulars/programme";
import { z } from "zod";
import { countedAtTill, isTill, readableAtTill } from "../customers/customers.till.ts";
import { roleProcedure, router, type TenantContext } from "../trpc.ts";
import { auditedConfirm, auditedHold, auditedVoid } from "./checkout.audit.ts";

/** The kiosk's and the till's checkout: the same domain functions as the gateway's /v1/checkout routes. */
const terminal = roleProcedure("kiosk", "pos", "admin");

/** The programme in force for a checkout: from the process's cache, checked for changes first, else read afresh. */
const programmesOf = (ctx: TenantContext): HoldDeps["programmes"] => {
  const cache = ctx.programmes;
  // The basket's location too: its zone is the clock coupon weekdays and hours are judged on.
  if (!cache) return { inForce: (tenantId, at, locationId) => programmeInForce(ctx.db, tenantId, at, locationId) };
  return {
    inForce: async (tenantId, at, locationId) => {
      await cache.refresh([tenantId]);
      return cache.inForce(tenantId, at, locationId);
    },
  };
};

const deps = (ctx: TenantContext): HoldDeps => ({
  db: ctx.db,
  programmes: programmesOf(ctx),
  sendConfirmationSms: queueTransactionalSms,
  ...(ctx.now ? { now: ctx.now } : {}),
  ...(ctx.checkoutPools?.reader ? { reader: ctx.checkoutPools.reader } : {}),
  ...(ctx.checkoutPools?.holdTransactions ? { transactions: ctx.checkoutPools.holdTransactions } : {}),
});

/** Unknown codes count per credential: the kiosk's API key, or the signed-in staff member (`staff:<id>`). */
const codeTrier = (ctx: TenantContext) => ({ tenantId: ctx.tenantId, credentialId: ctx.credential.keyId });
const unknownCodes = (ctx: TenantContext) => ({
  ...(ctx.unknownCodeLimit ? { limit: ctx.unknownCodeLimit } : {}),
  ...(ctx.checkoutPools?.missCounts ? { counts: ctx.checkoutPools.missCounts } : {}),
});

const HoldIdInput = z.strictObject({
  holdId: z.string().regex(/^hld_[a-z0-9]{10,40}$/, "must be a hold id (hld_...)"),
});
const ConfirmInput = HoldIdInput.extend({
  code: z.string().regex(/^\d{6}$/, "must be the 6-digit code sent to the customer"),
});

export const checkoutRouter = router({
  // A basket naming its customer by phone or card is a look-up too: an unknown one is answered `not_found`. Its
  // channel is bounded by the key first, as a sale's is, so a refused basket counts against nothing.
  quote: terminal.input(QuoteRequest).query(({ ctx, input }) => {
    assertBasketChannelAllowed(ctx.credential.role, input.basket.channel);
    return countedAtTill(ctx, input.customer, () =>
      quoteCountingUnknownCodes(deps(ctx), codeTrier(ctx), input, unknownCodes(ctx)),
    );
  }),
  // hold, confirm and void are audited when an admin calls them; a till's are not (checkout.audit.ts says why).
  hold: terminal.input(HoldRequest).mutation(({ ctx, input }) => {
    assertBasketChannelAllowed(ctx.credential.role, input.basket.channel);
    return auditedHold(ctx, () =>
      countedAtTill(ctx, input.customer, () =>
        holdCountingUnknownCodes(deps(ctx), codeTrier(ctx), input, unknownCodes(ctx)),
      ),
    );
  }),
  /** A hold spending wallet cash: the code the customer received by SMS when the hold was placed. */
  confirm: terminal
    .input(ConfirmInput)
    .mutation(({ ctx, input }) =>
      auditedConfirm(ctx, input.holdId, () => confirmHold(deps(ctx), ctx.tenantId, input.holdId, input.code)),
    ),
  void: terminal
    .input(HoldIdInput)
    .mutation(({ ctx, input }) =>
      auditedVoid(ctx, input.holdId, () =>
        voidHold(ctx.db, ctx.tenantId, input.holdId, new Date(), ctx.checkoutPools?.holdTransactions),
      ),
    ),
  getHold: terminal.input(HoldIdInput).query(async ({ ctx, input }) => {
    const hold = await holdView(ctx.db, ctx.tenantId, input.holdId);
    // Erasure keeps the hold for the accounts; to a till an erased customer's reservation is no one's, as in a quote.
    if (isTill(ctx) && hold.customerId && !(await readableAtTill(ctx.db, ctx.tenantId, hold.customerId)))
      throw new DomainError("not_found", `no hold ${input.holdId}`);
    return hold;
  }),
});
