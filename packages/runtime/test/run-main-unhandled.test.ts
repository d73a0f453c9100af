import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const moduleUrl = new URL("../src/run-main.ts", import.meta.url).href;

/**
 * A process whose roles are running when a promise fails with nobody handling it; stopping takes a moment (the batch
 * in hand), and says when it is over.
 */
const child = `
const { runMain } = await import(${JSON.stringify(moduleUrl)});
runMain("The test process", async () => {
  setTimeout(() => void Promise.reject(new Error("a forgotten handler")), 50);
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.stdout.write("STOPPED CLEANLY\\n");
    },
  };
});
`;

function runChild(): Promise<{ code: number | null; stdout: string }> {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH, LOG_FORMAT: "json", LOG_LEVEL: "info" };
    const proc = execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], { cwd, env });
    let stdout = "";
    proc.stdout?.on("data", (chunk: string) => (stdout += chunk));
    proc.on("exit", (code) => resolve({ code, stdout }));
  });
}

describe("runMain", () => {
  it("stops the process cleanly on a rejection nobody handled, says why, and exits with 1", async () => {
    const { code, stdout } = await runChild();
    const lines = stdout.split("\n").filter(Boolean);
    expect(lines).toContain("STOPPED CLEANLY");
    const fatal = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(fatal).toContainEqual(
      expect.objectContaining({
        level: 60,
        process: "The test process",
        err: expect.objectContaining({ message: "a forgotten handler" }),
      }),
    );
    expect(code).toBe(1);
  });
});
