import { z } from "zod";

/** The channels a message can go out on; each has its own template shape and providers. */
export const Channel = z.enum(["email", "sms", "push"]);
export type Channel = z.infer<typeof Channel>;

// Tenants carry a language too, so the tag is a contract of its own.
export { LanguageTag } from "@regulars/contracts";
