import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import {
  MessageTemplate,
  type MessageVariables,
  renderLimits,
  renderTemplate,
  templateIssues,
  templateSetIssues,
  validateTemplate,
  validateTemplateSet,
} from "../src/index.ts";

const ola: MessageVariables = {
  customer: { first_name: "Ola", last_name: "Nowak", tier: "silver" },
  points: { balance: 480, to_next_tier: 20, next_tier: "gold" },
  coupon: { code: "FRIES-7KQ2", title: "Discounted fries" },
  tenant: { name: "Burger Bros" },
};

function domainError(work: () => unknown): DomainError {
  try {
    work();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a domain error");
}

describe("rendering", () => {
  it("fills customer, points and coupon variables on every channel", () => {
    const sms = validateTemplate({
      channel: "sms",
      language: "en",
      body:
        "Hi {{ customer.first_name }}, only {{ points.to_next_tier }} points to {{ points.next_tier }}!" +
        " Code {{ coupon.code }}",
    });
    expect(renderTemplate(sms, ola)).toEqual({
      channel: "sms",
      body: "Hi Ola, only 20 points to gold! Code FRIES-7KQ2",
    });
    const push = validateTemplate({
      channel: "push",
      language: "en",
      title: "{{ tenant.name }}",
      body: "You have {{ points.balance }} points",
      url: "burgerbros://profile?from={{ tenant.name | url_encode }}",
    });
    expect(renderTemplate(push, ola)).toEqual({
      channel: "push",
      title: "Burger Bros",
      body: "You have 480 points",
      url: "burgerbros://profile?from=Burger+Bros",
    });
  });

  it("escapes variables in an HTML e-mail body, not in its subject or in a text body", () => {
    const evil = { ...ola, customer: { first_name: `<script>alert("x")</script> & Co` } };
    const html = validateTemplate({
      channel: "email",
      language: "en",
      subject: "{{ customer.first_name }}, a gift",
      body: '<p>Hi {{ customer.first_name }}</p><a href="https://app.burgerbros.example/menu?from=msg&amp;x=1">Menu</a>',
    });
    const out = renderTemplate(html, evil);
    expect(out).toEqual({
      channel: "email",
      subject: `<script>alert("x")</script> & Co, a gift`,
      html:
        "<p>Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</p>" +
        '<a href="https://app.burgerbros.example/menu?from=msg&amp;x=1">Menu</a>',
    });
    const text = validateTemplate({ ...html, format: "text", body: "Hi {{ customer.first_name }}" });
    expect(renderTemplate(text, evil)).toMatchObject({ text: `Hi <script>alert("x")</script> & Co` });
  });

  it("does not let `raw` put a variable into HTML unescaped", () => {
    const html = validateTemplate({
      channel: "email",
      language: "en",
      subject: "x",
      body: "<p>{{ customer.first_name | raw }}</p>",
    });
    const out = renderTemplate(html, { customer: { first_name: "<b>Ola</b>" } });
    expect(out).toMatchObject({ html: "<p>&lt;b&gt;Ola&lt;/b&gt;</p>" });
  });

  it("keeps a subject on one line whatever a variable holds", () => {
    const email = validateTemplate({
      channel: "email",
      language: "en",
      subject: "Hi {{ customer.first_name }}",
      body: "x",
    });
    expect(renderTemplate(email, { customer: { first_name: "Ola\r\nBcc: all@example.com" } })).toMatchObject({
      subject: "Hi Ola Bcc: all@example.com",
    });
  });

  it("fails naming the field and the variable when the data lacks what the template needs", () => {
    const sms = validateTemplate({ channel: "sms", language: "en", body: "Your code: {{ coupon.code }}" });
    const error = domainError(() => renderTemplate(sms, { customer: { first_name: "Ola" } }));
    expect(error.code).toBe("unprocessable");
    expect(error.message).toBe("Template body: missing variable coupon (line 1, column 15)");
    expect(error.issues).toEqual([{ path: "body", message: "missing variable coupon (line 1, column 15)" }]);
    const title = validateTemplate({ channel: "push", language: "en", title: "{{ coupon.title }}", body: "x" });
    expect(domainError(() => renderTemplate(title, { ...ola, coupon: { code: "A" } })).message).toBe(
      "Template title: missing variable coupon.title (line 1, column 4)",
    );
  });

  it("lets `default` and `if` test a variable that may be absent", () => {
    const sms = validateTemplate({
      channel: "sms",
      language: "en",
      body:
        "Hi {{ customer.last_name | default: customer.first_name }}" +
        "{% if coupon %}, code {{ coupon.code }}{% endif %}",
    });
    expect(renderTemplate(sms, { customer: { first_name: "Ola" } })).toEqual({ channel: "sms", body: "Hi Ola" });
    expect(renderTemplate(sms, ola)).toEqual({ channel: "sms", body: "Hi Nowak, code FRIES-7KQ2" });
  });

  it("renders one template for many customers, each with their own data, and still refuses what one lacks", () => {
    const sms = validateTemplate({
      channel: "sms",
      language: "en",
      body: "Hi {{ customer.first_name }}: {{ coupon.code }}",
    });
    const names = Array.from({ length: 50 }, (_, i) => `Guest${i}`);
    for (const name of names)
      expect(renderTemplate(sms, { customer: { first_name: name }, coupon: { code: `C-${name}` } })).toEqual({
        channel: "sms",
        body: `Hi ${name}: C-${name}`,
      });
    // The same source in an HTML body escapes; parsed once per engine, the text one does not leak into it.
    const html = validateTemplate({
      channel: "email",
      language: "en",
      subject: "x",
      format: "html",
      body: "Hi {{ customer.first_name }}: {{ coupon.code }}",
    });
    expect(renderTemplate(html, { customer: { first_name: "<b>" }, coupon: { code: "A&B" } })).toMatchObject({
      html: "Hi &lt;b&gt;: A&amp;B",
    });
    expect(domainError(() => renderTemplate(sms, { customer: { first_name: "Ola" } })).message).toBe(
      "Template body: missing variable coupon (line 1, column 34)",
    );
  });

  it("stops a template that breaks a render limit with an unprocessable error naming the field", () => {
    const loop = MessageTemplate.parse({
      channel: "sms",
      language: "en",
      body: "{% for i in (1..30000000) %}{% endfor %}Hi {{ customer.first_name }}",
    });
    const error = domainError(() => renderTemplate(loop, ola));
    expect(error.code).toBe("unprocessable");
    expect(error.issues).toEqual([{ path: "body", message: expect.stringMatching(/^renders too much: /) }]);
  });

  it("refuses variables that are not valid message data", () => {
    const sms = validateTemplate({ channel: "sms", language: "en", body: "x" });
    const error = domainError(() => renderTemplate(sms, { customer: {} } as MessageVariables));
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain("customer.first_name");
  });
});

describe("validation when a template is saved", () => {
  it("names every unknown variable and filter, field by field", () => {
    expect(
      templateIssues({
        channel: "email",
        language: "pl",
        subject: "Cześć {{ customer.frist_name }}",
        body: "{{ points.balance | shout }} {{ coupon.cod }}",
      }),
    ).toEqual([
      { field: "subject", message: "unknown variable customer.frist_name" },
      { field: "body", message: "unknown filter shout (line 1, column 1)" },
    ]);
    expect(
      templateIssues({ channel: "sms", language: "pl", body: "{{ coupon.cod }} {{ visits }} {{ coupon.cod }}" }),
    ).toEqual([
      { field: "body", message: "unknown variable coupon.cod" },
      { field: "body", message: "unknown variable visits" },
    ]);
  });

  it("accepts variables the template defines itself and Liquid's own filters", () => {
    expect(
      templateIssues({
        channel: "sms",
        language: "en",
        body:
          "{% assign name = customer.first_name | upcase %}{{ name }} {% for i in (1..2) %}{{ i }}{% endfor %}" +
          " {{ points.balance | plus: 20 }} {{ customer.first_name.size }}",
      }),
    ).toEqual([]);
  });

  it("refuses deep link variables, which nothing fills in when a campaign sends, and says what to write", () => {
    const noLinks = /^no deep link links\.profile: .*write the address itself/;
    expect(
      templateIssues({ channel: "push", language: "en", title: "t", body: "b", url: "{{ links.profile }}" }),
    ).toEqual([{ field: "url", message: expect.stringMatching(noLinks) }]);
    expect(templateIssues({ channel: "sms", language: "en", body: "{{ links[customer.tier] }}" })).toEqual([
      { field: "body", message: expect.stringMatching(/^no deep link links\.\[…\]: /) },
    ]);
  });

  it("refuses a template that breaks a render limit with a sample customer, naming the field and the limit", () => {
    const loop = "{% for i in (1..30000000) %}{% endfor %}Hi {{ customer.first_name }}";
    const error = domainError(() => validateTemplate({ channel: "sms", language: "en", body: loop }));
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toEqual([
      { path: "body", message: expect.stringMatching(/^renders too much: loops and filters may make 100,000 items/) },
    ]);
    // One sample has every optional variable and one only what every customer has: both branches are tried.
    for (const guard of ["if", "unless"]) {
      const body = `{% ${guard} coupon %}{% for i in (1..200000) %}{% endfor %}{% end${guard} %}Hi`;
      expect(templateIssues({ channel: "sms", language: "en", body })).toEqual([
        { field: "body", message: expect.stringMatching(/^renders too much: /) },
      ]);
    }
    const repeated = `{% for i in (1..20) %}${"x".repeat(99_000)}{% endfor %}`;
    expect(templateIssues({ channel: "email", language: "en", subject: "s", body: repeated })).toEqual([
      { field: "body", message: "renders too much text: over 1,000,000 characters" },
    ]);
    expect(renderLimits).toMatchObject({ memoryLimit: 100_000, outputLimit: 1_000_000 });
  });

  it("reports syntax errors and shape errors", () => {
    expect(templateIssues({ channel: "sms", language: "en", body: "Hi {{ customer.first_name" })).toEqual([
      { field: "body", message: 'output "{{ customer.first_name" not closed (line 1, column 4)' },
    ]);
    expect(templateIssues({ channel: "push", language: "english", body: "x" })).toEqual([
      { field: "language", message: "a language tag such as `pl` or `en-GB`" },
      { field: "title", message: "required" },
    ]);
  });

  it("throws one invalid_request error listing every issue", () => {
    const error = domainError(() => validateTemplate({ channel: "sms", language: "en", body: "{{ a }} {{ b.c }}" }));
    expect(error.code).toBe("invalid_request");
    expect(error.message).toBe("The template cannot be saved: body: unknown variable a; body: unknown variable b.c");
    expect(error.issues).toHaveLength(2);
  });

  it("defaults an e-mail to HTML", () => {
    expect(validateTemplate({ channel: "email", language: "en", subject: "s", body: "b" })).toMatchObject({
      format: "html",
    });
  });
});

describe("a message's templates, one per language", () => {
  const sms = (language: string, body = "Hi {{ customer.first_name }}") => ({ channel: "sms", language, body });

  it("are saved together when each is good, on one channel, each language once", () => {
    expect(validateTemplateSet([sms("pl"), sms("en"), sms("en-GB")]).map((t) => t.language)).toEqual([
      "pl",
      "en",
      "en-GB",
    ]);
  });

  it("report every issue with the template's position", () => {
    const push = { channel: "push", language: "de", title: "t", body: "b" };
    expect(templateSetIssues([sms("en-GB"), sms("en", "{{ coupon.cod }}"), sms("x"), sms("en-gb"), push])).toEqual([
      { field: "1.body", message: "unknown variable coupon.cod" },
      { field: "2.language", message: "a language tag such as `pl` or `en-GB`" },
      { field: "templates", message: "one channel per message, not sms and push" },
      { field: "3.language", message: "en-gb is written twice" },
    ]);
    expect(templateSetIssues([])).toEqual([{ field: "templates", message: "at least one template" }]);
    expect(domainError(() => validateTemplateSet([sms("pl"), sms("pl")])).message).toBe(
      "The templates cannot be saved: 1.language: pl is written twice",
    );
  });
});
