import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listen } from "../src/listen.ts";

describe("listen on a port already taken", () => {
  it("is refused naming the port and the setting to change, not with a bare EADDRINUSE", async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
    const port = (holder.address() as { port: number }).port;
    try {
      await expect(listen(() => new Response("ok"), "127.0.0.1", port, "GATEWAY_PORT")).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use: stop what holds it, or set GATEWAY_PORT to a free port`,
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
