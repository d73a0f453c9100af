import { describe, expect, it } from "vitest";
import { redactPersonalData } from "../src/index.ts";

describe("redactPersonalData", () => {
  it("replaces e-mail addresses however a server quotes them", () => {
    expect(redactPersonalData("550 5.1.1 <jane.doe@example.com>: Recipient address rejected")).toBe(
      "550 5.1.1 <[email]>: Recipient address rejected",
    );
    expect(redactPersonalData('RCPT TO:"Ola+promo@sklep.example.pl" refused; also zoë@bücher.example')).toBe(
      'RCPT TO:"[email]" refused; also [email]',
    );
  });

  it("replaces phone numbers in international and national forms", () => {
    expect(redactPersonalData("invalid destination +48600100200")).toBe("invalid destination [phone]");
    expect(redactPersonalData("number +48 604 000 001 is barred")).toBe("number [phone] is barred");
    expect(redactPersonalData("to (555) 123-4567 failed; to 604-000-001 too")).toBe(
      "to [phone] failed; to [phone] too",
    );
  });

  it("keeps what an operator needs: reply codes, hosts, ports, addresses, ids and statuses", () => {
    const kept = [
      "SMTP: 451 4.7.1 Try again later",
      "127.0.0.1:2525: ECONNREFUSED",
      "503 from sms.gateway.example: the provider's error",
      "no answer from [::1]:8443 in 10000 ms",
      "message msg_01jd4z8x9r3v7q2m5n6p at 2025-01-31T12:00:00Z",
    ];
    for (const text of kept) expect(redactPersonalData(text)).toBe(text);
  });
});
