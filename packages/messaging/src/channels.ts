import { z } from "zod";

/** The channels a message can go out on; each has its own template shape and providers. */
export const Channel = z.enum(["email", "sms", "push"]);
export type Channel = z.infer<typeof Channel>;

/**
 * A BCP 47 language tag as templates and customers carry it: `pl`, `en-GB`, `pt-BR`. Kept to the
 * language and region forms the fallback rule understands (the primary subtag is the first part).
 */
export const LanguageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a language tag such as `pl` or `en-GB`")
  .meta({ description: "BCP 47 language tag: `pl`, `en-GB`." });
export type LanguageTag = z.infer<typeof LanguageTag>;
