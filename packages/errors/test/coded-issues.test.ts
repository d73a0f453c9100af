import { describe, expect, it } from "vitest";
import { z } from "zod";
import { codedIssuesFromZod, issuesFromZod } from "../src/index.ts";

const Staff = z.object({
  email: z.email("must be an e-mail address"),
  password: z.string().min(12, "must be at least 12 characters"),
  bonus: z.number().int().min(-211),
  since: z.date().max(new Date(0)),
  validTo: z.string().refine(() => false, "must be after validFrom"),
});

describe("codedIssuesFromZod", () => {
  it("keeps each issue's code and bounds beside its message, so a client can word it in its own language", () => {
    const parsed = Staff.safeParse({
      email: "nope",
      password: "short",
      bonus: -300,
      since: new Date(1_000),
      validTo: "x",
    });
    expect(codedIssuesFromZod(parsed.error!)).toEqual([
      {
        path: "email",
        message: "must be an e-mail address",
        code: "invalid_format",
        params: { origin: "string", format: "email" },
      },
      {
        path: "password",
        message: "must be at least 12 characters",
        code: "too_small",
        params: { origin: "string", minimum: 12, inclusive: true },
      },
      {
        path: "bonus",
        message: expect.any(String),
        code: "too_small",
        params: { origin: "number", minimum: -211, inclusive: true },
      },
      {
        path: "since",
        message: expect.any(String),
        code: "too_big",
        params: { origin: "date", maximum: "1970-01-01T00:00:00.000Z", inclusive: true },
      },
      { path: "validTo", message: "must be after validFrom", code: "custom" },
    ]);
  });

  it("leaves the plain issues, as the gateway answers them, as they were", () => {
    const parsed = Staff.pick({ password: true }).safeParse({ password: "short" });
    expect(issuesFromZod(parsed.error!)).toEqual([{ path: "password", message: "must be at least 12 characters" }]);
  });
});
