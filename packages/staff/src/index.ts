// @regulars/staff: the people who sign in to a tenant's admin app (Postgres): members and their roles, scrypt
// passwords, sign-in throttled per e-mail and client IP, and sessions behind an HttpOnly cookie.
export {
  addStaff,
  type ChangedBy,
  findStaffByEmail,
  listStaff,
  removeStaff,
  setStaffPassword,
  setStaffRole,
} from "./members.ts";
export { decoyPasswordHash, generatePassword, hashPassword, verifyPassword } from "./passwords.ts";
export {
  defaultSessionLifetime,
  hashSessionToken,
  resolveSession,
  type SessionLifetime,
  type SignInOptions,
  SignInThrottled,
  type StaffSession,
  signIn,
  signOut,
} from "./sessions.ts";
export {
  AddStaffInput,
  apiRoleOfStaff,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  SetStaffRoleInput,
  type SignedInStaff,
  SignInInput,
  StaffEmail,
  StaffIdInput,
  type StaffMember,
  StaffPassword,
  StaffRole,
} from "./staff.types.ts";
export {
  admitSignInAttempt,
  defaultSignInThrottle,
  type SignInThrottle,
  secondsUntilAllowed,
  settleSignInAttempt,
} from "./throttle.ts";
