import { z } from "zod";

/**
 * A number read from the environment and checked by `schema`. A variable set to nothing (`X=` in a .env or compose
 * file, or only spaces) is not set, so its default applies, or it is refused as a missing one is: coerced, it would
 * be read as 0.
 */
export const envNumber = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema);
