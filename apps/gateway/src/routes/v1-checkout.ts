import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  assertBasketChannelAllowed,
  holdCountingUnknownCodes,
  quoteCountingUnknownCodes,
  type UnknownCodeOptions,
} from "@regulars/checkout-store";
import { exampleSaleLines, HoldRequest, Quote, QuoteRequest } from "@regulars/contracts";
import { transactionChannelsOfRole } from "@regulars/contracts/api-access";
import { confirmHold, type HoldDeps, voidHold } from "@regulars/ledger-store";
import type { GatewayEnv } from "../context.ts";
import { codeTrier, countingCustomerLookups, guessing, retryAfterOnThrottle } from "./checkout-guessing.ts";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

const exampleBasket = { locationId: "store-017", channel: "pos", currency: "EUR", lines: exampleSaleLines };
const exampleQuoteRequest = {
  customer: { phone: "+48600100200" },
  basket: exampleBasket,
  couponCodes: ["WELCOME-7KQ4"],
  points: 100,
};

const HoldId = z.string().regex(/^hld_[a-z0-9]{10,40}$/, "must be a hold id (hld_...)");
const HoldConfirmation = z
  .object({
    required: z.literal(true).meta({ description: "The sale commits nothing of this hold until it is confirmed." }),
    expiresAt: z.string().meta({ description: "Until when the code can be used; after that the hold is released." }),
    sentTo: z.string().meta({ description: "The masked phone number the code went to by SMS: `+48•••••200`." }),
  })
  .meta({
    id: "HoldConfirmation",
    description: "A 6-digit code was sent to the customer by SMS: the hold waits for it (it spends wallet cash).",
  });
const PlacedHold = z
  .object({
    holdId: HoldId.meta({ description: "Post the sale with this `holdId` to commit what the hold reserved." }),
    expiresAt: z.string().meta({ description: "When the hold is released unless its sale commits it first." }),
    quote: Quote,
    confirmation: HoldConfirmation.nullable().meta({
      description:
        "Set when the hold spends wallet cash, whatever the channel or key: POST the code the customer received to " +
        "`/v1/checkout/holds/{holdId}/confirm` before posting the sale. Null when the hold needs no code.",
    }),
  })
  .meta({ id: "PlacedHold", description: "A hold placed: what it reserves is in `quote`, until `expiresAt`." });
const HoldEnded = z
  .object({
    holdId: z.string().meta({ description: "The hold's id." }),
    status: z.enum(["held", "committed", "released", "expired"]).meta({
      description:
        "`held` (in force), `committed` (its sale spent it), `released` (voided) or `expired` (its time ran out first).",
    }),
  })
  .meta({ id: "HoldStatus", description: "Where a hold stands after the request." });

const ConfirmRequest = z
  .object({
    code: z
      .string()
      .regex(/^\d{6}$/, "must be the 6-digit code sent to the customer")
      .meta({ description: "The 6-digit code the customer received by SMS." }),
  })
  .meta({ id: "HoldConfirmationRequest", description: "The code that confirms a hold's cashback." });
const ConfirmedHold = z
  .object({
    holdId: z.string().meta({ description: "The confirmed hold." }),
    status: z
      .enum(["held", "committed", "released", "expired"])
      .meta({ description: "The hold's status: `held` until the sale posted with its `holdId` commits it." }),
    confirmed: z.literal(true).meta({ description: "The hold is confirmed: its sale spends the wallet cash." }),
  })
  .meta({ id: "ConfirmedHold", description: "The hold is confirmed: the sale posted with its `holdId` commits it." });

const common = {
  tags: ["Checkout"],
  security: [{ [securitySchemeName]: [] as string[] }],
};
const failures = {
  ...errorResponses,
  404: errorResponse("No customer with that identity (`not_found`)", "not_found", "no customer with that identity"),
  503: errorResponse(
    "The database could not be reached (`unavailable`): nothing was reserved, retry later",
    "unavailable",
    "the service is unavailable, retry later",
  ),
};
/** `pos`, `app` or `web`, for a description. */
const listed = (channels: readonly string[]) =>
  channels
    .map((c) => `\`${c}\``)
    .join(", ")
    .replace(/, ([^,]+)$/, " or $1");
/** The basket's channel bounded by the key as its sale's is; both routes' descriptions say so. */
const channelBound =
  "The key bounds `basket.channel` as it bounds a sale's (coupons limited to channels check it, and only a sale of " +
  `the hold's channel commits a hold): a kiosk key checks out ${listed(transactionChannelsOfRole.kiosk)} baskets ` +
  `only, a pos key ${listed(transactionChannelsOfRole.pos)}. Another answers 403 \`channel_not_allowed\` ` +
  "(`issues` names `basket.channel`) and nothing is reserved or counted.";
const channelNotAllowed = errorResponse(
  "The key's role may not call this (`forbidden`) or may not check out this `basket.channel` " +
    "(`channel_not_allowed`: a kiosk key checks out `kiosk` baskets only); nothing was reserved",
  "channel_not_allowed",
  "a kiosk key posts transactions of channel kiosk only, not app, and quotes and holds baskets of those channels only",
  [{ path: "basket.channel", message: "must be kiosk for a kiosk key" }],
);
/** A DELETE has no body to be JSON; one sent anyway is still held to the body limit (413), as on every route. */
const bodilessFailures = Object.fromEntries(Object.entries(failures).filter(([status]) => status !== "415")) as Omit<
  typeof failures,
  415
>;

const quoteRoute = createRoute({
  ...common,
  method: "post",
  path: "/v1/checkout/quote",
  operationId: "quoteCheckout",
  summary: "Price a basket for a customer",
  description:
    "Automatic discounts (tier benefits), the coupons and rewards the customer could use, the points they could spend " +
    "and what that is worth, each with a machine-readable `refusal.code` when it does not apply (`expired`, " +
    "`wrong_location`, `below_minimum_basket`, `limit_reached`, `not_enough_points`, ...). Reserves nothing.\n\n" +
    `${channelBound}\n\n${guessing.description}`,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: QuoteRequest,
          examples: {
            points: { summary: "A member by phone spending 100 points and a coupon code", value: exampleQuoteRequest },
            bare: {
              summary: "What could this member use? (nothing selected)",
              value: { customer: { phone: "+48600100200" }, basket: exampleBasket },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: "The priced basket", content: { "application/json": { schema: Quote } } },
    ...failures,
    403: channelNotAllowed,
    429: guessing.refusal,
  },
});

const holdRoute = createRoute({
  ...common,
  method: "post",
  path: "/v1/checkout/holds",
  operationId: "placeCheckoutHold",
  summary: "Reserve coupons, rewards, points and wallet cash for a sale (coupons for a guest)",
  description:
    "Prices the basket like a quote and reserves everything selected until `expiresAt`. Post the sale with the returned " +
    "`holdId` to commit it (its lines' `discount` as the quote's `lines`); DELETE the hold when the order is abandoned. " +
    "All or nothing: when anything selected cannot be given, the answer is 409 `hold_refused` with one issue per refused " +
    "item; its `unknown_code` issues count like a quote's.\n\n" +
    "A guest's basket (no `customer`) holds too: it reserves coupon uses only, against the campaigns' total, per-code " +
    "and daily limits, so two tills can never both give a coupon's last use. A sale naming the hold commits it, with " +
    "or without a customer.\n\n" +
    `${channelBound}\n\n${guessing.description}`,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: HoldRequest,
          examples: {
            points: {
              summary: "Reserve 100 points and a coupon for ten minutes",
              value: { ...exampleQuoteRequest, ttlSeconds: 600 },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: "Reserved", content: { "application/json": { schema: PlacedHold } } },
    ...failures,
    403: channelNotAllowed,
    409: errorResponse(
      "Something selected cannot be given (`hold_refused`): each issue names it and says why",
      "hold_refused",
      "the hold cannot reserve all that was selected",
      [{ path: "couponCodes.0", message: "limit_reached: this coupon has been used as often as its campaign allows" }],
    ),
    429: guessing.refusal,
  },
});

const voidRoute = createRoute({
  ...common,
  method: "delete",
  path: "/v1/checkout/holds/{holdId}",
  operationId: "voidCheckoutHold",
  summary: "Void a hold: the order was abandoned",
  description:
    "Frees what the hold reserved. Voiding a released or expired hold changes nothing. A hold whose sale was accepted " +
    "(`/v1/transactions` answered 202 for a sale naming it) cannot be voided: that sale spends what the hold reserved; " +
    "refund it instead. Past 15 minutes after the hold's expiry (a sale never stored) it can be voided again.",
  request: { params: z.object({ holdId: HoldId.meta({ param: { name: "holdId", in: "path" } }) }) },
  responses: {
    200: { description: "The hold's status now", content: { "application/json": { schema: HoldEnded } } },
    ...bodilessFailures,
    404: errorResponse(
      "No such hold for your tenant (`not_found`)",
      "not_found",
      "no hold hld_01jd4z8x9r3v7q2m5n6p8t0w1y",
    ),
    409: errorResponse(
      "The hold was committed by its sale, or a sale naming it was accepted (`hold_ended`): refund the sale instead",
      "hold_ended",
      "hold hld_01jd4z8x9r3v7q2m5n6p8t0w1y was committed by its sale; refund the sale instead",
    ),
  },
});

const confirmRoute = createRoute({
  ...common,
  method: "post",
  path: "/v1/checkout/holds/{holdId}/confirm",
  operationId: "confirmCheckoutHold",
  summary: "Confirm a hold's cashback with the code sent to the customer",
  description:
    "Wallet cash is spent only with a 6-digit code sent to the customer by SMS when the hold is placed " +
    "(`confirmation` in its answer). The code lasts 5 minutes and may be tried 5 times: a wrong code answers 422 " +
    "`confirmation_failed` saying how many attempts are left, and the last wrong attempt releases the hold; a code " +
    "tried after it expired answers 422 `confirmation_expired` and releases the hold. Either way, place a new hold to " +
    "send a new code. Confirming again with the right code answers the same. Per customer, across all holds, 10 " +
    "wrong codes within 24 hours lock their codes: no code of theirs is checked (422 `confirmation_failed`, the hold " +
    "released) and, as after 5 codes sent and never confirmed within 24 hours, a hold spending their wallet cash is " +
    "refused 409 `hold_refused` (`confirmation_locked`) with no SMS sent, until the 24 hours have moved past them.",
  request: {
    params: z.object({ holdId: HoldId.meta({ param: { name: "holdId", in: "path" } }) }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ConfirmRequest,
          examples: { code: { summary: "The code the customer read out", value: { code: "482913" } } },
        },
      },
    },
  },
  responses: {
    200: { description: "Confirmed", content: { "application/json": { schema: ConfirmedHold } } },
    ...failures,
    404: errorResponse(
      "No such hold for your tenant (`not_found`)",
      "not_found",
      "no hold hld_01jd4z8x9r3v7q2m5n6p8t0w1y",
    ),
    409: errorResponse(
      "The hold needs no code, whatever its state (`conflict`), or it was committed or released (`hold_ended`)",
      "hold_ended",
      "hold hld_01jd4z8x9r3v7q2m5n6p8t0w1y is released; place a new hold to send a new code",
    ),
    422: errorResponse(
      "A wrong code (`confirmation_failed`: the message says how many attempts are left) or one that expired " +
        "(`confirmation_expired`); with no attempts left, or expired, the hold was released",
      "confirmation_failed",
      "wrong code: 4 attempts left",
    ),
  },
});

export function registerCheckoutRoutes(
  app: OpenAPIHono<GatewayEnv>,
  deps: HoldDeps,
  unknownCodes: UnknownCodeOptions = {},
) {
  app.openapi(quoteRoute, async (c) => {
    const asked = c.req.valid("json");
    assertBasketChannelAllowed(c.get("credential").role, asked.basket.channel);
    const quoting = countingCustomerLookups(c, deps, unknownCodes.counts, asked.customer, () =>
      quoteCountingUnknownCodes(deps, codeTrier(c), asked, unknownCodes),
    );
    return c.json(await retryAfterOnThrottle(c, quoting), 200);
  });
  app.openapi(holdRoute, async (c) => {
    const asked = c.req.valid("json");
    assertBasketChannelAllowed(c.get("credential").role, asked.basket.channel);
    const placing = countingCustomerLookups(c, deps, unknownCodes.counts, asked.customer, () =>
      holdCountingUnknownCodes(deps, codeTrier(c), asked, unknownCodes),
    );
    return c.json(await retryAfterOnThrottle(c, placing), 201);
  });
  app.openapi(voidRoute, async (c) =>
    c.json(
      await voidHold(deps.db, c.get("credential").tenantId, c.req.valid("param").holdId, new Date(), deps.transactions),
      200,
    ),
  );
  app.openapi(confirmRoute, async (c) => {
    const { holdId } = c.req.valid("param");
    return c.json(await confirmHold(deps, c.get("credential").tenantId, holdId, c.req.valid("json").code), 200);
  });
}
