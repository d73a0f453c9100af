import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { methodsServedAt } from "../src/index.ts";

const appWithRoutes = () => {
  const app = new Hono();
  app.use("*", async (_c, next) => next());
  // Bound to methods, yet middleware: it serves nothing at the paths it matches.
  app.on(["POST", "PUT", "PATCH"], "/things/*", async (_c, next) => next());
  app.post("/things", (c) => c.json({}, 201));
  app.get("/things/:id", (c) => c.json({}));
  app.delete("/things/:id", (c) => c.body(null, 204));
  app.patch("/things/:id", (c) => c.json({}));
  return app;
};

describe("methodsServedAt", () => {
  it("names the methods of the handlers matching a path, HEAD with GET, in the usual order", () => {
    const methodsAt = methodsServedAt(appWithRoutes());
    expect(methodsAt("/things")).toEqual(["POST"]);
    expect(methodsAt("/things/t-1")).toEqual(["GET", "HEAD", "PATCH", "DELETE"]);
  });

  it("names none where only middleware matches, or nothing does", () => {
    const methodsAt = methodsServedAt(appWithRoutes());
    expect(methodsAt("/things/t-1/parts")).toEqual([]);
    expect(methodsAt("/elsewhere")).toEqual([]);
  });

  it("reads routes registered after it was made (a not-found handler may be set first)", () => {
    const app = new Hono();
    const methodsAt = methodsServedAt(app);
    expect(methodsAt("/late")).toEqual([]);
    app.put("/late", (c) => c.body(null, 204));
    expect(methodsAt("/late")).toEqual(["PUT"]);
  });
});
