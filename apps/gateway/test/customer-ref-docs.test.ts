import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway } from "./gateway-fixture.ts";

/**
 * `CustomerRef` is shared by sales, events, identity tokens and checkout; only a sale enrols the owner of a phone
 * number no member has (events never create customers, checkout answers 404). The enrolment is told where it happens.
 */
let started: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  started = await startGateway({}, { withDb: false });
});
afterAll(() => stopGateway(started));

it("says an unknown phone enrols a member on the sale's customer, not on the shared customer reference", async () => {
  const document = (await (await started.gateway.request("/v1/openapi.json")).json()) as any;
  const { CustomerRef, TransactionInput } = document.components.schemas;
  expect(CustomerRef.properties.phone.description).toBe(
    "The customer's phone number in E.164 form, stored canonically (+4407911123456 is +447911123456).",
  );
  expect(JSON.stringify(CustomerRef)).not.toMatch(/enrol/);
  expect(TransactionInput.properties.customer.description).toMatch(
    /^The customer who earns the points, by exactly one identity; a phone number no member has enrols a new member\./,
  );
});
