import { customerLedger } from "@regulars/ledger-store";
import { allowedTo, roleProcedure, router } from "../trpc.ts";
import { customerBehaviour } from "./customers.behaviour.ts";
import { CustomerBehaviourInput } from "./customers.behaviour.types.ts";
import { IdentifyCustomerInput, identifyCustomer } from "./customers.identify.ts";
import { adjustCustomer, customerTier, setCustomerTierFloor } from "./customers.loyalty.ts";
import {
  customerConsentHistory,
  registerAsAdmin,
  setConsentsAsAdmin,
  updateProfileAsAdmin,
} from "./customers.profile.ts";
import { ConsentHistoryInput, RegisterInput, SetConsentsInput, UpdateProfileInput } from "./customers.profile.types.ts";
import { getCustomer, searchCustomers } from "./customers.queries.ts";
import { withSurvivor } from "./customers.survivor.ts";
import { countedAtTill, getTillCustomer, isTill, tillCustomerId } from "./customers.till.ts";
import type { CustomerView, TillCustomerView } from "./customers.types.ts";
import {
  AdjustInput,
  CustomerIdInput,
  CustomerLedgerInput,
  GetCustomerInput,
  SearchCustomersInput,
  SetTierFloorInput,
} from "./customers.types.ts";

const staffOrTerminal = roleProcedure("admin", "kiosk", "pos");
const readers = allowedTo("readCustomers");
const changers = allowedTo("changeCustomers");

export const customersRouter = router({
  get: staffOrTerminal
    .input(GetCustomerInput)
    .query(
      ({ ctx, input }): Promise<CustomerView | TillCustomerView> =>
        isTill(ctx)
          ? countedAtTill(ctx, input, () => getTillCustomer(ctx.db, ctx.tenantId, input))
          : getCustomer(ctx.db, ctx.tenantId, input),
    ),
  ledger: staffOrTerminal.input(CustomerLedgerInput).query(async ({ ctx, input }) => {
    // A merged-away id's own movements end in the transfer to its survivor: the history worth reading is there.
    // The admin reads an erased customer's movements (pseudonymised, kept for the accounts); a till does not.
    const named = isTill(ctx)
      ? { ...input, customerId: await tillCustomerId(ctx.db, ctx.tenantId, input.customerId) }
      : await withSurvivor(ctx.db, ctx.tenantId, input);
    const page = await customerLedger(ctx.db, ctx.tenantId, named);
    // An adjustment's reason is free text an admin typed (it may name the customer); tills do not need it.
    return isTill(ctx) ? { ...page, items: page.items.map((l) => ({ ...l, reason: null, actor: null })) } : page;
  }),
  /** A mutation: identifying with an app token uses the token up. */
  identify: staffOrTerminal
    .input(IdentifyCustomerInput)
    .mutation(({ ctx, input }) => countedAtTill(ctx, input, () => identifyCustomer(ctx.db, ctx.tenantId, input))),
  tier: staffOrTerminal.input(CustomerIdInput).query(async ({ ctx, input }) => {
    const customerId = isTill(ctx) ? await tillCustomerId(ctx.db, ctx.tenantId, input.customerId) : input.customerId;
    return customerTier(ctx.db, ctx.tenantId, customerId);
  }),
  adjust: changers
    .input(AdjustInput)
    .mutation(({ ctx, input }) => adjustCustomer(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  setTierFloor: changers
    .input(SetTierFloorInput)
    .mutation(({ ctx, input }) => setCustomerTierFloor(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  search: readers.input(SearchCustomersInput).query(({ ctx, input }) => searchCustomers(ctx.db, ctx.tenantId, input)),
  register: changers
    .input(RegisterInput)
    .mutation(({ ctx, input }) => registerAsAdmin(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  updateProfile: changers
    .input(UpdateProfileInput)
    .mutation(({ ctx, input }) => updateProfileAsAdmin(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  setConsents: changers
    .input(SetConsentsInput)
    .mutation(({ ctx, input }) => setConsentsAsAdmin(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  consentHistory: readers
    .input(ConsentHistoryInput)
    .query(({ ctx, input }) => customerConsentHistory(ctx.db, ctx.tenantId, input)),
  /** The behavioural profile (orders per window, habits, affinities, RFM); not the app profile `updateProfile` edits. */
  profile: readers
    .input(CustomerBehaviourInput)
    .query(({ ctx, input }) => customerBehaviour(ctx.db, ctx.tenantId, input)),
});
