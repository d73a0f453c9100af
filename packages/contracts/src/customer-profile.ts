import { z } from "zod";
import { ExternalIdentity, Timestamp } from "./primitives.ts";
import { inexactNumberMessage, isInexactNumber, SafeText, StorableJson } from "./text.ts";
import { webPushTokenProblem } from "./web-push.ts";

/**
 * App registration and the customer's profile: what the brand's app backend sends (`app` keys on the
 * gateway, admins over tRPC), what it reads back, and the domain events the changes announce. Phone
 * numbers arrive as people type them and are normalised to E.164 by the store (it knows the numbering
 * plans); everything else is checked here.
 */

export const ConsentChannel = z.enum(["push", "sms", "email"]).meta({
  id: "ConsentChannel",
  description: "How a message reaches the customer: a push notification, an SMS or an e-mail.",
});
export type ConsentChannel = z.infer<typeof ConsentChannel>;

export const ConsentPurpose = z.enum(["marketing", "profiling"]).meta({
  id: "ConsentPurpose",
  description:
    "What the customer agrees to: `marketing` (offers and campaigns) or `profiling` (using their purchases and " +
    "behaviour to choose what they are offered). A campaign's message needs `marketing` on its channel; one that " +
    "starts on inactivity, whose audience or trigger is a segment reading behaviour (orders, spend, visits, " +
    "products, events, or raw SQL), or that starts on a domain event with conditions on what the customer did (a " +
    "sale's lines, total or location, an app event, points or coupons a sale earned or spent, a message opened or " +
    "clicked; not only whether a sale or a refund), or on entering or leaving segments, needs `profiling` there too.",
});
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;

export const ConsentStatement = z
  .strictObject({
    channel: ConsentChannel,
    purpose: ConsentPurpose,
    granted: z.boolean().meta({ description: "True when the customer agrees, false when they refuse or withdraw." }),
  })
  .meta({ id: "ConsentStatement", description: "The customer's choice for one channel and purpose." });
export type ConsentStatement = z.infer<typeof ConsentStatement>;

/** Where a consent was given: kept with it as the proof of where the customer said so. */
export const ConsentSource = z
  .string()
  .regex(/^[a-z][a-z0-9_.:-]{1,63}$/, "use 2-64 lower-case letters, digits, '_', '.', ':' or '-'")
  .meta({
    description: "Where the customer made the choice, e.g. `app:onboarding` or `app:settings`; `app` when absent.",
    examples: ["app:onboarding"],
  });

const uniqueStatements = (list: ConsentStatement[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  list.forEach((s, i) => {
    const key = `${s.channel}/${s.purpose}`;
    if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `${key} is given twice` });
    seen.add(key);
  });
};

export const ConsentStatements = z
  .array(ConsentStatement)
  .min(1, "give at least one consent")
  .max(6, "at most 6: one per channel and purpose")
  .superRefine(uniqueStatements)
  .meta({ description: "One choice per channel and purpose; channels and purposes not named stay as they were." });

/** A phone number as the customer typed it; the store normalises it to E.164 or refuses it. */
export const PhoneInput = SafeText(3, 32).meta({
  description:
    "The customer's phone number, as typed: international (`+48 600 100 200`) or national with `country` " +
    "(`600 100 200`). Stored in E.164 form; a number that is not valid for its country is a 400.",
  examples: ["+48 600 100 200"],
});
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as PL")
  .meta({
    description:
      "ISO 3166-1 alpha-2 country of a phone number typed without its country code; without it, the number must " +
      "start with '+' and its country code.",
    examples: ["PL"],
  });
export const Email = z
  .email("must be an e-mail address")
  .max(254, "must be at most 254 characters")
  .transform((e) => e.toLowerCase())
  .meta({ description: "The customer's e-mail address; stored lower-case.", examples: ["ada@example.com"] });
export const PersonName = SafeText(1, 200).meta({
  description: "The customer's name as they want to be addressed.",
  examples: ["Ada Nowak"],
});
export const DateOfBirth = z.iso
  .date("must be a date as YYYY-MM-DD")
  .refine((d) => d >= "1900-01-01", "must be 1900-01-01 or later")
  .meta({
    description: "Date of birth (YYYY-MM-DD) for birthday offers; not in the future (the store checks).",
    examples: ["1990-04-17"],
  });

const PreferenceValue = z.union([
  SafeText(0, 200),
  z
    .number()
    .refine(Number.isFinite, "must be a finite number")
    .refine((n) => !isInexactNumber(n), inexactNumberMessage),
  z.boolean(),
  z.array(SafeText(1, 100)).max(50, "at most 50 values"),
]);
const PreferenceKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "use 1-64 letters, digits, '_', '.' or '-'");
/** A profile's preferences in all: a PATCH adds to the stored ones, so the store checks the merged set too. */
export const MAX_PREFERENCES = 50;
export const Preferences = StorableJson(z.record(PreferenceKey, PreferenceValue))
  .refine((p) => Object.keys(p).length <= MAX_PREFERENCES, `at most ${MAX_PREFERENCES} preferences`)
  .meta({
    description:
      "The customer's preferences as the app keeps them: keys of letters and digits, values a string, number " +
      `(at most ${Number.MAX_SAFE_INTEGER} either way: send larger ids as strings), boolean or list of strings; at ` +
      `most ${MAX_PREFERENCES}.`,
    examples: [{ diet: "vegetarian", favouriteStore: "store-017", newsletterTopics: ["new-products"] }],
  });
export type Preferences = z.infer<typeof Preferences>;

export const RegisterCustomerRequest = z
  .strictObject({
    externalIdentity: ExternalIdentity.optional(),
    phone: PhoneInput.optional(),
    phoneVerified: z
      .boolean()
      .default(false)
      .meta({
        description:
          "True only when your backend proved the customer owns `phone` (a code sent by SMS). A proven phone links " +
          "the account to the customer the tills already know by that number, points included; an unproven one is " +
          "kept on the profile and links nothing.",
      }),
    country: CountryCode.optional(),
    email: Email.optional(),
    name: PersonName.optional(),
    dateOfBirth: DateOfBirth.optional(),
    preferences: Preferences.optional(),
    consents: z
      .array(ConsentStatement)
      .max(6, "at most 6: one per channel and purpose")
      .superRefine(uniqueStatements)
      .optional()
      .meta({ description: "The consents the customer gave while signing up; none when absent." }),
    consentSource: ConsentSource.optional(),
    consentedAt: Timestamp.optional().meta({
      description: "When the customer gave `consents` (ISO 8601); the moment of the request when absent.",
    }),
  })
  .superRefine((r, ctx) => {
    if (!r.externalIdentity && !(r.phone && r.phoneVerified))
      ctx.addIssue({
        code: "custom",
        path: ["externalIdentity"],
        message: "give an externalIdentity, or a phone with phoneVerified: true",
      });
    if (r.phoneVerified && !r.phone)
      ctx.addIssue({ code: "custom", path: ["phone"], message: "required when phoneVerified is true" });
  })
  .meta({
    id: "RegisterCustomerRequest",
    description:
      "A customer signing up in the brand's app, named by a sign-in identity (`externalIdentity`: Apple, Google or " +
      "your own user id as provider `brand`), a phone your backend proved, or both. Registering the same identity " +
      "again answers the same customer and changes nothing else; change the profile with PATCH.",
  });
export type RegisterCustomerRequest = z.infer<typeof RegisterCustomerRequest>;

export const UpdateProfileRequest = z
  .strictObject({
    name: PersonName.nullable().optional(),
    email: Email.nullable().optional(),
    dateOfBirth: DateOfBirth.nullable().optional(),
    phone: PhoneInput.nullable().optional(),
    phoneVerified: z.boolean().default(false).meta({
      description: "True when your backend proved the new `phone` by SMS: it then links the tills' customer too.",
    }),
    country: CountryCode.optional(),
    preferences: StorableJson(z.record(PreferenceKey, PreferenceValue.nullable()))
      .refine((p) => Object.keys(p).length <= MAX_PREFERENCES, `at most ${MAX_PREFERENCES} preferences`)
      .optional()
      .meta({
        description: "Preferences to set; a key with `null` is removed, keys not named stay as they are.",
        examples: [{ diet: "vegan", favouriteStore: null }],
      }),
  })
  .superRefine((r, ctx) => {
    const changes = ["name", "email", "dateOfBirth", "phone", "preferences"] as const;
    if (!changes.some((k) => r[k] !== undefined))
      ctx.addIssue({ code: "custom", path: [], message: `give at least one of ${changes.join(", ")}` });
    if (r.phoneVerified && !r.phone)
      ctx.addIssue({ code: "custom", path: ["phone"], message: "required when phoneVerified is true" });
  })
  .meta({
    id: "UpdateProfileRequest",
    description:
      "The fields to change; a field that is absent stays as it is, `null` clears it. Changing the phone without " +
      "`phoneVerified: true` keeps the new number unproven and unlinks the old one from the tills.",
  });
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;

export const SetConsentsRequest = z
  .strictObject({
    consents: ConsentStatements,
    source: ConsentSource.optional(),
    occurredAt: Timestamp.optional().meta({
      description:
        "When the customer made the choice (ISO 8601), at most 5 minutes ahead; now when absent. A time ahead of " +
        "ours ranks as the moment we record it, so a choice recorded later always takes over from it.",
    }),
  })
  .meta({
    id: "SetConsentsRequest",
    description:
      "The customer's consent choices, each kept in the consent history with its time and source. Repeating the " +
      "choice in force records it again as the latest, unannounced: nothing changes in force. One dated before the " +
      "choice in force is kept only when it differs from it, and does not take over; one sent again with the same " +
      "`occurredAt` is not recorded twice.",
  });
export type SetConsentsRequest = z.infer<typeof SetConsentsRequest>;

export const PushPlatform = z.enum(["ios", "android", "web"]).meta({
  id: "PushPlatform",
  description: "Which push service the token belongs to: Apple (ios), Firebase (android) or Web Push (web).",
});

/**
 * The longest push token kept. Tokens are unique per tenant through a btree index, whose entries hold at most 2704
 * bytes: with a tenant id, a random token of over ~2660 characters cannot be stored (a 500, not a 400). Real tokens
 * are far shorter: APNs 64 hex characters (Apple says the size may grow), FCM about 150-350, a browser's web push
 * subscription as JSON a few hundred (the push services' endpoints run 100-500 characters, the keys about 110).
 */
export const MAX_PUSH_TOKEN_CHARS = 2048;

export const PushTokenRequest = z
  .strictObject({
    deviceId: z
      .string()
      .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces")
      .meta({ description: "Your app's id of the device installation: 1-128 printable ASCII characters." }),
    platform: PushPlatform,
    token: z
      .string()
      .min(1, "must not be empty")
      .max(MAX_PUSH_TOKEN_CHARS, `must be at most ${MAX_PUSH_TOKEN_CHARS} characters`)
      .regex(/^[\x21-\x7E]*$/, "use printable characters without spaces")
      .meta({
        description:
          `The push token the platform gave the app on this device, 1-${MAX_PUSH_TOKEN_CHARS} printable ASCII ` +
          "characters. For `web`, the browser's `PushSubscription` as JSON (`{ endpoint, keys: { p256dh, auth } }`), " +
          "its endpoint an https URL of a public push service.",
      }),
  })
  // The shape is checked here; whether the endpoint may be on a private network is the gateway's setting.
  .superRefine((r, ctx) => {
    if (r.platform !== "web") return;
    const problem = webPushTokenProblem(r.token, { allowPrivateNetworks: true });
    if (problem) ctx.addIssue({ code: "custom", path: ["token"], message: problem });
  })
  .meta({
    id: "PushTokenRequest",
    description:
      "A device's push token. One device belongs to one customer: registering a device again replaces its token " +
      "and moves it to this customer (another person signed in on it).",
  });
export type PushTokenRequest = z.infer<typeof PushTokenRequest>;

export const ConsentState = ConsentStatement.extend({
  source: z.string().meta({ description: "Where the customer made this choice (`app:onboarding`, `admin`, ...)." }),
  occurredAt: Timestamp.meta({ description: "When the customer made this choice." }),
}).meta({ id: "ConsentState", description: "The consent in force for one channel and purpose." });
export type ConsentState = z.infer<typeof ConsentState>;

export const PushDevice = z
  .object({
    deviceId: z.string().meta({ description: "Your app's id of the device installation." }),
    platform: PushPlatform,
    updatedAt: Timestamp.meta({ description: "When the device's token was last registered." }),
  })
  .meta({ id: "PushDevice", description: "A device that receives the customer's push notifications." });
export type PushDevice = z.infer<typeof PushDevice>;

export const ConsentsInForce = z
  .object({
    consents: z.array(ConsentState).meta({
      description: "The consent in force per channel and purpose; a pair never chosen is absent and counts as refused.",
    }),
  })
  .meta({ id: "ConsentsInForce", description: "The customer's consents in force after the change." });

export const CustomerProfile = z
  .object({
    id: z.string().meta({ description: "The customer's Regulars id (`cus_...`): use it in every call about them." }),
    name: z.string().nullable().meta({ description: "Name, or null when not given." }),
    email: z.string().nullable().meta({ description: "E-mail address (lower-case), or null when not given." }),
    phone: z.string().nullable().meta({ description: "Phone number in E.164 form, or null when not given." }),
    phoneVerified: z.boolean().meta({
      description: "True when the phone was proven: the tills then find this customer by it.",
    }),
    dateOfBirth: z.string().nullable().meta({ description: "Date of birth (YYYY-MM-DD), or null when not given." }),
    preferences: z.record(z.string(), z.unknown()).meta({ description: "The preferences the app stored." }),
    externalIdentities: z.array(ExternalIdentity).meta({
      description: "The sign-in identities that name this customer.",
    }),
    registeredAt: Timestamp.nullable().meta({
      description: "When the customer signed up in the app; null for a customer only the tills know.",
    }),
    createdAt: Timestamp.meta({
      description: "When Regulars first knew the customer (a till's first sale, or sign-up).",
    }),
    consents: z.array(ConsentState).meta({
      description: "The consent in force per channel and purpose; a pair never chosen is absent and counts as refused.",
    }),
    pushDevices: z
      .array(PushDevice)
      .meta({ description: "The devices with a push token for this customer (the tokens are not shown)." }),
  })
  .meta({ id: "CustomerProfile", description: "A customer's profile, consents in force and push devices." });
export type CustomerProfile = z.infer<typeof CustomerProfile>;

/** Which part of a profile changed (events name fields only, never the personal data itself). */
export const ProfileField = z
  .enum(["name", "email", "phone", "phoneVerified", "dateOfBirth", "preferences", "externalIdentities"])
  .meta({ id: "ProfileField", description: "A field of the customer's profile." });
export type ProfileField = z.infer<typeof ProfileField>;

export const RegistrationOutcome = z.enum(["created", "existing", "linked"]).meta({
  description:
    "`created`: a new customer; `existing`: this identity was registered before (only a newly proven phone changes anything); " +
    "`linked`: a customer the tills knew (by the proven phone, or by this sign-in identity a kiosk scanned before it was " +
    "ever registered) is now this app account, history included; the request's profile and consents are saved as at sign-up.",
});

export const Registration = z
  .object({
    outcome: RegistrationOutcome,
    mergedCustomerIds: z.array(z.string()).meta({
      description:
        "Customers merged into this one because the proven phone was theirs (their points and history moved here).",
    }),
    customer: CustomerProfile,
  })
  .meta({ id: "Registration", description: "The registered customer, and how the registration found them." });
export type Registration = z.infer<typeof Registration>;

export const ProfileUpdate = z
  .object({
    changed: z.array(ProfileField).meta({ description: "The fields that changed; empty when nothing did." }),
    mergedCustomerIds: z.array(z.string()).meta({
      description: "Customers merged into this one because the newly proven phone was theirs.",
    }),
    customer: CustomerProfile,
  })
  .meta({ id: "ProfileUpdate", description: "The profile after the change, and what changed." });
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

const CustomerEventBase = z.object({
  id: z.string(),
  tenantId: z.string(),
  customerId: z.string(),
  occurredAt: z.string(),
});

/**
 * A new customer: registered in the app (`cause` `registration`, `via` `app`), created by a till's first sale
 * naming a phone, card or app identity nobody had (`cause` `sale`, `via` the sale's channel, `identity` the kind it
 * named, never its value), or enrolled by phone at a till that recorded their consents (`cause` `enrolment`).
 * `registered` campaigns start on registrations, and on the tills' customers when they ask to (`via`);
 * always-on campaigns enrol them all.
 */
export const CustomerCreated = CustomerEventBase.extend({
  type: z.literal("customer.created"),
  via: z.string(),
  fields: z.array(ProfileField),
  // Optional: events published before sales announced their customers carry neither, and were all registrations.
  cause: z.enum(["registration", "sale", "enrolment"]).optional(),
  identity: z.enum(["phone", "card", "external"]).optional(),
});
/**
 * A profile changed: `registration` when a customer the tills knew signed up, `merge` when another customer
 * was merged into this one (`mergedCustomerId`), `profile` for an edit by the app or an admin.
 */
export const CustomerUpdated = CustomerEventBase.extend({
  type: z.literal("customer.updated"),
  cause: z.enum(["registration", "profile", "merge"]),
  changed: z.array(ProfileField),
  mergedCustomerId: z.string().nullable(),
});
/** The consent in force for a channel and purpose changed. */
export const ConsentChanged = CustomerEventBase.extend({
  type: z.literal("consent.changed"),
  channel: ConsentChannel,
  purpose: ConsentPurpose,
  granted: z.boolean(),
  source: z.string(),
});
/**
 * The customer's personal data was erased (@regulars/privacy): whoever keeps a copy (webhooks, campaign
 * tools) must forget the customer. `cause`: an erasure request, or the tenant's inactivity retention.
 */
export const CustomerErased = CustomerEventBase.extend({
  type: z.literal("customer.erased"),
  cause: z.enum(["request", "inactivity"]),
});
export type CustomerErased = z.infer<typeof CustomerErased>;
export type CustomerCreated = z.infer<typeof CustomerCreated>;
export type CustomerUpdated = z.infer<typeof CustomerUpdated>;
export type ConsentChanged = z.infer<typeof ConsentChanged>;
export type CustomerEvent = CustomerCreated | CustomerUpdated | ConsentChanged;
