import type { Db } from "@regulars/db";
import { DomainError, type FieldIssue, issuesFromZod } from "@regulars/errors";
import { addStaff, type StaffRole, signIn } from "@regulars/staff";
import { credentialOfStaffSession, findCredential } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { createCaller } from "../src/root.ts";

export type Caller = ReturnType<typeof createCaller>;

/** A fresh tenant with a caller per role; fresh, so scheduled versions of one test never block another. */
export async function tenantCallers(db: Db, name = "Programme Grill") {
  const { tenantId, apiKeys } = await testTenant(db, name);
  const as = async (key: string) => {
    const credential = await findCredential(db, key);
    if (!credential) throw new Error("the test key was not found");
    return { caller: createCaller({ db, credential, requestId: "req_test" }), credential };
  };
  const [admin, kiosk, pos, analyst] = await Promise.all([
    as(apiKeys.admin),
    as(apiKeys.kiosk),
    as(apiKeys.pos),
    as(apiKeys.analyst),
  ]);
  return {
    tenantId,
    apiKeys,
    admin: admin.caller,
    adminKeyId: admin.credential.keyId,
    adminCredential: admin.credential,
    kiosk: kiosk.caller,
    pos: pos.caller,
    analyst: analyst.caller,
  };
}

/** A member of the tenant, signed in: a caller with the credential their session cookie resolves to. */
export async function signedInStaff(db: Db, tenantId: string, role: StaffRole) {
  const email = `${role}-${Math.random().toString(36).slice(2)}@staff.test`;
  const password = "a long enough password";
  const member = await addStaff(db, tenantId, { email, name: `A ${role}`, role, password }, "test");
  const { session } = await signIn(db, { email, password }, { clientIp: "203.0.113.7" });
  const credential = credentialOfStaffSession(session);
  return { member, credential, caller: createCaller({ db, credential, requestId: "req_test" }) };
}

export async function failure(work: Promise<unknown>): Promise<TRPCError> {
  try {
    await work;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** The issues the error formatter puts in the response, read from the error's cause the same way. */
export function issuesOf(error: TRPCError): FieldIssue[] | undefined {
  const cause = error.cause;
  return cause instanceof ZodError ? issuesFromZod(cause) : cause instanceof DomainError ? cause.issues : undefined;
}

export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
export const HOUR = 3_600_000;
