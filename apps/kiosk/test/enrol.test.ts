import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { EnrolmentFailed, e164, enrolAtKiosk, enrolmentOf, joinOfferFor } from "../src/order/enrol.ts";

describe("joining at the kiosk", () => {
  it("sends SMS offers only when the box was ticked, and no refusal when it was not", () => {
    expect(enrolmentOf("+48600100200", "store-001", true).consents).toEqual([
      { channel: "sms", purpose: "marketing", granted: true },
    ]);
    // An unticked box is no answer: a refusal would withdraw a consent the number's customer may have given elsewhere.
    expect(enrolmentOf("+48600100200", "store-001", false)).toEqual({
      phone: "+48600100200",
      locationId: "store-001",
      consents: [],
    });
  });

  it("is offered only for a phone that matched nobody, while the field still holds it", () => {
    const unknown = { code: "not_found", asked: { phone: "+48600100200" } };
    expect(joinOfferFor("+48 600 100 200", unknown)).toEqual({ join: "+48600100200" });
    expect(joinOfferFor(" 0048 600-100-200 ", unknown)).toEqual({ join: "+48600100200" });
    // A corrected number is looked up before anyone may join with it.
    expect(joinOfferFor("+48 600 100 201", unknown)).toBeNull();
    expect(joinOfferFor("+48 600 100 200", null)).toBeNull();
    for (const code of ["invalid_request", "rate_limited", undefined])
      expect(joinOfferFor("+48600100200", { code, asked: { phone: "+48600100200" } })).toBeNull();
    // A token or card that matched nothing does not enrol anyone.
    expect(joinOfferFor("ABC123", { code: "not_found", asked: { cardNumber: "ABC123" } })).toBeNull();
    expect(e164("(+48) 600.100.200")).toBe("+48600100200");
  });

  it("asks to check a number no one can have instead of offering to join with it, as the gateway refuses it", () => {
    // A digit short: a possible length (a sale may name it, so the look-up takes it) but no valid Polish number.
    const short = { code: "not_found", asked: { phone: "+4860090000" } };
    expect(joinOfferFor("+48 600 900 00", short)).toEqual({ checkNumber: "+4860090000" });
    expect(joinOfferFor("+48 600 900 0000", { code: "not_found", asked: { phone: "+486009000000" } })).toEqual({
      checkNumber: "+486009000000",
    });
    // Only the number still in the field is judged; a corrected one is looked up first.
    expect(joinOfferFor("+48 600 900 000", short)).toBeNull();
    // The gateway enrols a 0 kept after the country code under the number without it, which is valid.
    const zeroKept = { code: "not_found", asked: { phone: "+480600900000" } };
    expect(joinOfferFor("+48 0600 900 000", zeroKept)).toEqual({ join: "+480600900000" });
  });
});

/** A local stand-in for the gateway's answers (a third party to the kiosk's own code: the real route is tested in the gateway). */
async function withGateway(
  answer: (req: IncomingMessage, body: string) => [number, string] | null,
  run: (url: string) => Promise<void>,
) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const reply = answer(req, body);
      if (!reply) return; // never answers
      res.writeHead(reply[0], { "content-type": "application/json" }).end(reply[1]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("enrolling through the gateway", () => {
  const request = enrolmentOf("+48600100200", "store-001", true);

  it("posts the body with the kiosk's key and answers the customer", async () => {
    const seen: { path?: string; auth?: string; body?: unknown } = {};
    await withGateway(
      (req, body) => {
        Object.assign(seen, { path: req.url, auth: req.headers.authorization, body: JSON.parse(body) });
        return [201, JSON.stringify({ customerId: "cus_0123456789", created: true })];
      },
      async (url) => {
        expect(await enrolAtKiosk(url, "rk_kiosk_test", request)).toEqual({
          customerId: "cus_0123456789",
          created: true,
        });
      },
    );
    expect(seen).toEqual({ path: "/v1/customers/enrolments", auth: "Bearer rk_kiosk_test", body: request });
  });

  it("fails with the gateway's error body, or `unreachable` when no readable answer came in time", async () => {
    const refused = { code: "not_found", message: "no customer cus_x", requestId: "req_1" };
    await withGateway(
      () => [404, JSON.stringify(refused)],
      async (url) => {
        const err = await enrolAtKiosk(url, "rk_kiosk_test", request).catch((e) => e);
        expect(err).toBeInstanceOf(EnrolmentFailed);
        expect(err.failure).toEqual(refused);
      },
    );
    await withGateway(
      () => [502, "<html>bad gateway</html>"],
      async (url) => {
        const err = await enrolAtKiosk(url, "rk_kiosk_test", request).catch((e) => e);
        expect(err.failure.code).toBe("unreachable");
      },
    );
    await withGateway(
      () => null,
      async (url) => {
        const err = await enrolAtKiosk(url, "rk_kiosk_test", request, 200).catch((e) => e);
        expect(err.failure.code).toBe("unreachable");
      },
    );
  });
});
