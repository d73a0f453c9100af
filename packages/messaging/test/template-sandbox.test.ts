import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import { MessageTemplate, type MessageVariables, renderTemplate, templateIssues } from "../src/index.ts";

// A template is written by one tenant's staff and rendered in processes every tenant shares: it reaches its
// variables and nothing else, no file of the server, no property its variables inherit.

const ola: MessageVariables = { customer: { first_name: "Ola" }, points: { balance: 480 } };
const sms = (body: string) => ({ channel: "sms", language: "en", body });

function renderError(body: string): DomainError {
  try {
    // Parsed without `validateTemplate`: a template stored before the check, or by another way in.
    renderTemplate(MessageTemplate.parse(sms(body)), ola);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`expected ${body} to be refused`);
}

const fileReads = [
  "{% include 'package.json' %}",
  "{% render 'package.json' %}",
  "{% layout 'package.json' %}{% block x %}{% endblock %}",
  "{% if customer %}{% include '../../package.json' %}{% endif %}",
  "{% include '/etc/hostname' %}",
];

describe("files", () => {
  it.each(fileReads)("refuses %s when the template is saved, naming the tag", (body) => {
    const issues = templateIssues(sms(body));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "body" });
    expect(issues[0]!.message).toMatch(/the (include|render|layout) tag is not available/);
  });

  it.each(fileReads)("reads no file when %s is rendered without the check", (body) => {
    const error = renderError(body);
    expect(error.code).toBe("unprocessable");
    expect(error.message).toMatch(/tag is not available/);
    expect(error.message).not.toContain("@regulars");
  });
});

describe("prototypes and shared state", () => {
  it.each([
    "{{ customer.constructor }}",
    "{{ customer.first_name.constructor.name }}",
    "{{ customer.__proto__ }}",
    "{{ points.balance.toString }}",
  ])("refuses %s: only the variables' own properties are visible", (body) => {
    expect(templateIssues(sms(body)).length).toBeGreaterThan(0);
    expect(renderError(body).message).toMatch(/missing variable/);
  });

  it("lets no filter read an inherited property either", () => {
    const template = MessageTemplate.parse(sms("[{{ customer | map: 'constructor' | join: ',' }}]"));
    expect(renderTemplate(template, ola)).toEqual({ channel: "sms", body: "[]" });
  });

  it("keeps one template's `increment` out of the sample customers other templates are checked with", () => {
    // `increment` writes into the variables it is given. Into the shared samples, it turned their coupon into a
    // number for every later check, of every tenant: a loop behind `{% if coupon.code %}` then never ran there.
    const heavy = sms("{% if coupon.code %}{% for i in (1..1000000) %}x{% endfor %}{% endif %}");
    expect(templateIssues(heavy)).toEqual([{ field: "body", message: expect.stringMatching(/renders too much/) }]);
    expect(templateIssues(sms("{% increment coupon %}"))).toEqual([]);
    expect(templateIssues(heavy)).toEqual([{ field: "body", message: expect.stringMatching(/renders too much/) }]);
  });
});
