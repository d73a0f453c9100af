import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { confirmsDeviceReset, keyPrefixOf } from "../src/device.ts";
import { beforeDeadline, HoldTimedOut, SaleUnconfirmed, sendSale } from "../src/order/pay.ts";
import { meaningOf, nextSendStep, pollDelayMs, SEND_ATTEMPTS, sendRetryDelayMs } from "../src/order/sending.ts";
import {
  afterShortfall,
  blocksLeaving,
  createVisits,
  mayChoose,
  type PayShortfall,
  type PayStage,
} from "../src/order/visit.ts";

describe("sending a sale to the gateway", () => {
  it("reads each answer as stored, not stored, or unknown", () => {
    expect([202, 409].map((status) => meaningOf(status))).toEqual(["stored", "stored"]);
    expect(meaningOf(409, "idempotency_conflict")).toBe("stored");
    // A basket other than the one its hold priced: refused at the door, nothing stored, the hold may be voided.
    expect(meaningOf(409, "hold_mismatch")).toBe("refused");
    // A hold still waiting for its SMS code: refused at the door too, nothing stored.
    expect(meaningOf(409, "hold_unconfirmed")).toBe("refused");
    expect(meaningOf(429)).toBe("busy");
    expect([400, 401, 403, 422].map((status) => meaningOf(status))).toEqual([
      "refused",
      "refused",
      "refused",
      "refused",
    ]);
    expect(["unreachable" as const, 408, 500, 502, 503].map((answer) => meaningOf(answer))).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
  });

  it("posts the same sale again while the answer leaves open whether it was stored", () => {
    expect(nextSendStep(["unknown"])).toBe("retry");
    expect(nextSendStep(["unknown", "busy"])).toBe("retry");
    // A repeat that finds it stored ("duplicate") ends the doubt.
    expect(nextSendStep(["unknown", "unknown", "stored"])).toBe("accepted");
  });

  it("calls it refused (and the hold free to void) only when no answer said it may be stored", () => {
    expect(nextSendStep(["refused"])).toBe("refused");
    expect(nextSendStep(Array(SEND_ATTEMPTS).fill("busy"))).toBe("refused");
    expect(nextSendStep(["unknown", "refused"])).toBe("unconfirmed");
    expect(nextSendStep(["busy", "unknown", "busy", "busy"])).toBe("unconfirmed");
    expect(nextSendStep(Array(SEND_ATTEMPTS).fill("unknown"))).toBe("unconfirmed");
  });

  it("waits longer between tries, up to a ceiling", () => {
    const sends = [0, 1, 2, 3, 4, 10].map(sendRetryDelayMs);
    const polls = [0, 1, 2, 5, 10, 50].map(pollDelayMs);
    for (const waits of [sends, polls]) {
      expect(waits).toEqual([...waits].sort((a, b) => a - b));
      expect(waits[0]).toBeGreaterThan(0);
    }
    expect(sendRetryDelayMs(10)).toBe(4000);
    expect(pollDelayMs(50)).toBe(5000);
  });
});

describe("a gateway that holds the connection and never answers", () => {
  it("counts each unanswered post as no answer, posts again, and ends unconfirmed", { timeout: 30_000 }, async () => {
    const held: IncomingMessage[] = [];
    const gateway = createServer((req) => {
      held.push(req);
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    try {
      const sale = { externalId: "KIOSK-store-001-held", body: { externalId: "KIOSK-store-001-held" } };
      const sent = sendSale(url, "rk_kiosk_test", sale, 200);
      await expect(sent).rejects.toBeInstanceOf(SaleUnconfirmed);
      expect(held).toHaveLength(SEND_ATTEMPTS);
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});

describe("a hold that does not answer in time", () => {
  it("gives up with HoldTimedOut and hands a late answer over to be undone", async () => {
    let answer!: (holdId: string) => void;
    const pending = new Promise<string>((resolve) => {
      answer = resolve;
    });
    const late: string[] = [];
    const waited = beforeDeadline(
      pending,
      10,
      () => new HoldTimedOut(),
      (holdId) => late.push(holdId),
    );
    await expect(waited).rejects.toBeInstanceOf(HoldTimedOut);
    answer("hld_late0000000");
    await pending;
    expect(late).toEqual(["hld_late0000000"]);
  });

  it("answers in time as if there were no deadline", async () => {
    const late: string[] = [];
    const waited = beforeDeadline(
      Promise.resolve("hld_quick000000"),
      60_000,
      () => new HoldTimedOut(),
      (id) => {
        late.push(id);
      },
    );
    expect(await waited).toBe("hld_quick000000");
    expect(late).toEqual([]);
  });
});

describe("paying that ends short of a receipt", () => {
  const shortfalls: PayShortfall[] = ["holdRefused", "holdTimedOut", "notSent", "unconfirmed", "rejected"];

  it("voids the hold unless a stored sale may still commit it", () => {
    expect(shortfalls.filter((s) => afterShortfall(s).voidHold)).toEqual([
      "holdRefused",
      "holdTimedOut",
      "notSent",
      "rejected",
    ]);
  });

  it("ends a rejected order on its own screen, never back at Pay", () => {
    expect(afterShortfall("rejected").stage).toBe("notAccepted");
    expect(mayChoose(afterShortfall("rejected").stage)).toBe(false);
    expect(blocksLeaving(afterShortfall("rejected").stage)).toBe(false);
    expect(afterShortfall("unconfirmed").stage).toBe("unconfirmed");
    expect(["holdRefused", "holdTimedOut", "notSent"].map((s) => afterShortfall(s as PayShortfall).stage)).toEqual([
      "choosing",
      "choosing",
      "choosing",
    ]);
  });
});

describe("the stages of paying", () => {
  const stages: PayStage[] = [
    "choosing",
    "holding",
    "posting",
    "received",
    "receivedSlowly",
    "unconfirmed",
    "notAccepted",
  ];

  it("keeps the order on screen from the hold until an outcome is shown", () => {
    expect(stages.filter(blocksLeaving)).toEqual(["holding", "posting", "received"]);
  });

  it("offers Pay only before anything was sent", () => {
    expect(stages.filter(mayChoose)).toEqual(["choosing"]);
  });

  it("tells work of a visit that was cleared from work of the visit in progress", () => {
    const visits = createVisits();
    const paying = visits.current();
    expect(visits.isCurrent(paying)).toBe(true);
    const next = visits.next();
    expect(visits.isCurrent(paying)).toBe(false);
    expect(visits.isCurrent(next)).toBe(true);
    expect(visits.current()).toBe(next);
  });
});

describe("resetting the device", () => {
  const key = "rk_kiosk_7Hq2Zx9LmP3sT8vK1wR4yB6nC0dF5gJ";

  it("asks for the key's prefix as the admin app lists it", () => {
    expect(keyPrefixOf(key)).toBe("rk_kiosk_7Hq2");
    expect(confirmsDeviceReset("rk_kiosk_7Hq2", key)).toBe(true);
    expect(confirmsDeviceReset(" rk_kiosk_7Hq2… ", key)).toBe(true);
    expect(confirmsDeviceReset(key, key)).toBe(true);
  });

  it("refuses what any passer-by could type", () => {
    for (const typed of ["", "rk_kiosk", "rk_kiosk_", "rk_kiosk_7Hq", "rk_kiosk_7hq2", "rk_kiosk_AAAA", "1234"])
      expect(confirmsDeviceReset(typed, key), typed).toBe(false);
  });
});
