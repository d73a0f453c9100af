import { describe, expect, it } from "vitest";
import { type ApiFailure, describeError, fieldErrors } from "../src/errors.ts";

/** A failed tRPC call as the client holds it: the house body in `data.error`. */
const refused = (body: ApiFailure) => ({ message: body.message, data: { error: body } });

const invalidStaff = refused({
  code: "invalid_request",
  message: "the input is invalid: email, password, levels.0.threshold, eventTypes, validTo, colour",
  requestId: "req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y",
  issues: [
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
      path: "levels.0.threshold",
      message: "must be at least -211",
      code: "too_small",
      params: { origin: "number", minimum: -211, inclusive: true },
    },
    { path: "eventTypes", message: "subscribe to at least one event type" },
    { path: "name", message: "required", code: "invalid_type", params: { expected: "string" } },
    { path: "validTo", message: "must be after validFrom", code: "custom" },
    { path: "colour", message: "must rhyme with orange", code: "some_future_code" },
  ],
});

describe("fieldErrors", () => {
  it("says each refusal in Polish from its code and bounds, or from the known server text", () => {
    expect(fieldErrors(invalidStaff, { language: "pl" })).toEqual({
      email: "musi być adresem e-mail",
      password: "musi mieć co najmniej 12 znaków",
      "levels.0.threshold": "musi wynosić co najmniej -211",
      eventTypes: "wybierz co najmniej jeden typ zdarzeń",
      name: "pole wymagane",
      validTo: "musi być późniejsze niż początek ważności",
      colour: "must rhyme with orange",
    });
  });

  it("declines Polish nouns by number and says an empty text is empty", () => {
    const sized = (minimum: number) =>
      fieldErrors(
        refused({
          code: "invalid_request",
          message: "x",
          issues: [{ path: "name", message: "x", code: "too_small", params: { origin: "string", minimum } }],
        }),
        { language: "pl" },
      ).name;
    expect([sized(1), sized(2), sized(5), sized(22)]).toEqual([
      "nie może być puste",
      "musi mieć co najmniej 2 znaki",
      "musi mieć co najmniej 5 znaków",
      "musi mieć co najmniej 22 znaki",
    ]);
  });

  it("keeps the server's English in the English page, and reads issues without a code from older servers", () => {
    const errors = fieldErrors(invalidStaff, { language: "en" });
    expect([errors.email, errors.password]).toEqual(["must be an e-mail address", "must be at least 12 characters"]);
    const older = refused({
      code: "invalid_request",
      message: "x",
      issues: [
        { path: "name", message: "required" },
        { path: "points", message: "must be at least -211" },
      ],
    });
    expect(fieldErrors(older, { language: "pl" })).toEqual({
      name: "pole wymagane",
      points: "musi wynosić co najmniej -211",
    });
  });
});

describe("describeError", () => {
  it("names refused fields by the form's labels, not their paths, with the request id as a reference", () => {
    const labels = { email: "Adres e-mail", password: "Hasło", levels: "Poziomy" };
    expect(describeError(invalidStaff, { language: "pl", labels })).toBe(
      "Popraw: Adres e-mail, Hasło, Poziomy. (nr ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
    expect(describeError(invalidStaff, { language: "en", labels: {} })).toBe(
      "Some fields need correcting. (ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
  });

  it("says a domain refusal as its own sentence (the SQL console's), and input checks by the fields", () => {
    const sql = refused({
      code: "invalid_request",
      message: "the query was refused by rule qualified_table: system.tables names a database",
      requestId: "req_1",
      issues: [{ path: "sql", message: "qualified_table: system.tables names a database" }],
    });
    expect(describeError(sql, { language: "en" })).toBe(
      "the query was refused by rule qualified_table: system.tables names a database (ref. req_1)",
    );
    expect(describeError(invalidStaff, { language: "pl" })).toBe(
      "Popraw błędnie wypełnione pola. (nr ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
  });

  it("says an unreachable server in the page's language", () => {
    expect(describeError(new TypeError("Failed to fetch"), { language: "pl" })).toBe(
      "Nie udało się połączyć z serwerem. Sprawdź połączenie i spróbuj ponownie.",
    );
  });

  it("keeps a message it has no words for, rather than saying nothing", () => {
    const conflict = refused({ code: "conflict", message: "the programme changed meanwhile" });
    expect(describeError(conflict, { language: "pl" })).toBe("the programme changed meanwhile");
  });
});
