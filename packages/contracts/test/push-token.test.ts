import { describe, expect, it } from "vitest";
import { PushTokenRequest, webPushEndpointProblem, webPushTokenProblem } from "../src/index.ts";

const keys = {
  p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
  auth: "tBHItJI5svbpez7KI4CCXg",
};
const web = (endpoint: string) => JSON.stringify({ endpoint, expirationTime: null, keys });
const strict = { allowPrivateNetworks: false };
const local = { allowPrivateNetworks: true };

describe("a web device's push token", () => {
  it("is a browser's subscription: anything else is refused on the token", () => {
    const device = (token: string) => PushTokenRequest.safeParse({ deviceId: "browser-1", platform: "web", token });
    expect(device(web("https://fcm.googleapis.com/fcm/send/abc:def")).success).toBe(true);
    for (const token of ["t", '{"endpoint":"https://push.example/x"}', web("ftp://push.example/x")]) {
      const result = device(token);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["token"]);
    }
    // Other platforms' tokens are the push services' own opaque strings.
    expect(PushTokenRequest.safeParse({ deviceId: "ipad", platform: "ios", token: "80f1c3a9" }).success).toBe(true);
  });

  it("must point at a public push service over https, not at this machine, a private network or metadata", () => {
    for (const endpoint of [
      "https://fcm.googleapis.com/fcm/send/abc",
      "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
      "https://web.push.apple.com/QGuQyavXutnMH",
    ])
      expect(webPushEndpointProblem(endpoint, strict)).toBeNull();
    for (const endpoint of [
      "http://push.example/x",
      "https://127.0.0.1:8080/admin",
      "https://2130706433/admin",
      "https://169.254.169.254/latest/meta-data/",
      "https://10.0.0.5/",
      "https://[::1]/admin",
      "https://[fd00::1]/",
      "https://localhost/admin",
      "https://api.localhost/",
      "https://printer.local/",
      "https://db.internal/",
      "https://metadata/computeMetadata/v1/",
      "https://user:pass@push.example/x",
    ])
      expect(webPushEndpointProblem(endpoint, strict), endpoint).not.toBeNull();
    expect(webPushTokenProblem(web("http://127.0.0.1:9000/admin"), strict)).toBe("endpoint must be an https URL");
    expect(webPushTokenProblem(web("https://169.254.169.254/"), strict)).toMatch(/^endpoint must name .* not an IP/);
  });

  it("may point at this machine over http where the setting allows private networks (development, tests)", () => {
    expect(webPushTokenProblem(web("http://127.0.0.1:9000/push/1"), local)).toBeNull();
    expect(webPushTokenProblem(web("ftp://127.0.0.1/push/1"), local)).toBe("endpoint must be an https URL");
  });
});
