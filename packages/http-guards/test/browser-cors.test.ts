import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { corsForBrowsers } from "../src/index.ts";

const appWith = (origin: string | string[]) => {
  const app = new Hono();
  app.use("*", corsForBrowsers({ origin, allowHeaders: ["authorization"], exposeHeaders: ["x-request-id"] }));
  app.post("/x", (c) => c.json({ ok: true }, 202));
  return app;
};

describe("corsForBrowsers", () => {
  it("gives a browser's request (it sends Origin) the CORS headers, and answers its preflight", async () => {
    const app = appWith("*");
    const res = await app.request("/x", { method: "POST", headers: { origin: "https://kiosk.example.com" } });
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id");
    const preflight = await app.request("/x", {
      method: "OPTIONS",
      headers: { origin: "https://kiosk.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization");
  });

  it("lets a request without Origin pass with none of them", async () => {
    const res = await appWith("*").request("/x", { method: "POST" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true });
    expect([...res.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
    expect(res.headers.get("vary")).toBeNull();
  });

  it("with a list of origins: allows those, and every answer says it varies by Origin", async () => {
    const app = appWith(["https://admin.example.com"]);
    const allowed = await app.request("/x", { method: "POST", headers: { origin: "https://admin.example.com" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(allowed.headers.get("vary")).toBe("Origin");
    const other = await app.request("/x", { method: "POST", headers: { origin: "https://evil.example.com" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await app.request("/x", { method: "POST" });
    expect(none.status).toBe(202);
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
    expect(none.headers.get("vary")).toBe("Origin");
  });
});
