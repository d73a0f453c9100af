import type { ApiKeyRole } from "@regulars/contracts";
import { z } from "zod";

/**
 * What a staff member may do in the admin app. Owners manage staff and API keys; marketers and operators run
 * the programme, campaigns and customers; analysts read.
 */
export const StaffRole = z.enum(["owner", "marketer", "operator", "analyst"]);
export type StaffRole = z.infer<typeof StaffRole>;

/** The API role a staff member acts with: the procedures' own checks know only API roles. */
export function apiRoleOfStaff(role: StaffRole): Extract<ApiKeyRole, "admin" | "analyst"> {
  return role === "analyst" ? "analyst" : "admin";
}

/** E-mail addresses are compared lower-cased: `Ada@Example.com` and `ada@example.com` are one account. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export const StaffEmail = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("must be an e-mail address"))
  .transform(normalizeEmail);

export const MIN_PASSWORD_LENGTH = 12;
export const StaffPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, "must be at most 200 characters");

export const AddStaffInput = z.object({
  email: StaffEmail,
  name: z.string().trim().min(1, "must not be empty").max(120),
  role: StaffRole,
  password: StaffPassword,
});
export type AddStaffInput = z.infer<typeof AddStaffInput>;

export const StaffIdInput = z.object({
  id: z.string().regex(/^stf_[a-z0-9]+$/, "must be a staff id such as stf_01h..."),
});

export const SetStaffRoleInput = StaffIdInput.extend({ role: StaffRole });

/** Sign-in takes any text: a malformed address is just a wrong one, answered the same way. */
export const SignInInput = z.object({
  email: z.string().max(254),
  password: z.string().max(200),
});
export type SignInInput = z.infer<typeof SignInInput>;

/** A staff member as the admin app lists them: never the password hash. */
export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  createdAt: string;
}

/** Who is signed in, in which tenant; what `/auth/session` and `staff.me` answer. */
export interface SignedInStaff {
  staff: { id: string; email: string; name: string; role: StaffRole };
  tenant: { id: string; name: string; currency: string; timezone: string };
}
