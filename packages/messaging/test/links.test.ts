import { describe, expect, it } from "vitest";
import {
  addOpenPixel,
  composeMessage,
  makeLinkToken,
  makeOpenToken,
  type Tracker,
  trackHtmlLinks,
  trackLinks,
  trackTextLinks,
  validateTemplate,
  verifyLinkToken,
  type WrittenLinks,
  writtenLinks,
} from "../src/index.ts";

const secret = "s".repeat(32);
const tracking: Tracker = { baseUrl: "https://go.burgerbros.example/l", secrets: [secret] };

/** The destination and message id a tracking URL carries, checked as the click endpoint will. */
function followed(trackingLink: string) {
  expect(trackingLink.startsWith("https://go.burgerbros.example/l/")).toBe(true);
  const verified = verifyLinkToken([secret], trackingLink.slice("https://go.burgerbros.example/l/".length));
  if (!verified.ok) throw new Error(`token refused: ${verified.reason}`);
  if (verified.kind !== "click") throw new Error("an open token where a link was expected");
  return { messageId: verified.messageId, url: verified.url };
}

/** Links a template wrote in an SMS body or in an HTML e-mail's body. */
const writtenInSms = (body: string): WrittenLinks => writtenLinks({ channel: "sms", language: "en", body });
const writtenInHtml = (body: string): WrittenLinks =>
  writtenLinks({ channel: "email", language: "en", subject: "s", format: "html", body });
const noneWritten: WrittenLinks = { exact: new Set(), prefixes: new Set() };

describe("link tokens", () => {
  it("carry the message id and the destination, and verify with the secret", () => {
    const token = makeLinkToken([secret], "msg_01abc", "https://example.com/a?b=1&c=ż#top");
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyLinkToken([secret], token)).toEqual({
      ok: true,
      kind: "click",
      messageId: "msg_01abc",
      url: "https://example.com/a?b=1&c=ż#top",
    });
  });

  it("of an open pixel carry the message id alone", () => {
    expect(verifyLinkToken([secret], makeOpenToken([secret], "msg_2"))).toEqual({
      ok: true,
      kind: "open",
      messageId: "msg_2",
    });
    expect(() => makeLinkToken([secret], "msg_2", "")).toThrow(/destination/);
    expect(() => makeOpenToken([secret], "")).toThrow(/message id/);
  });

  it("verify with an older secret after rotation, and not with an unknown one", () => {
    const old = "o".repeat(40);
    const token = makeLinkToken([old], "msg_1", "https://example.com/");
    expect(verifyLinkToken([secret, old], token).ok).toBe(true);
    expect(verifyLinkToken([secret], token)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuse a changed destination or message id, and malformed input", () => {
    const token = makeLinkToken([secret], "msg_1", "https://example.com/");
    const [, mac] = token.split(".");
    const forged = `${Buffer.from("msg_1\nhttps://evil.example/").toString("base64url")}.${mac}`;
    expect(verifyLinkToken([secret], forged)).toEqual({ ok: false, reason: "bad_signature" });
    const otherMessage = `${Buffer.from("msg_2\nhttps://example.com/").toString("base64url")}.${mac}`;
    expect(verifyLinkToken([secret], otherMessage)).toEqual({ ok: false, reason: "bad_signature" });
    for (const bad of ["", "abc", "a.b.c", `${token}x`, "a+b.c/d", token.replace(".", "")])
      expect(verifyLinkToken([secret], bad).ok).toBe(false);
  });
});

describe("tracked links", () => {
  it("rewrites bare links in text, leaving the sentence's punctuation and non-web links alone", () => {
    const text =
      "Menu: https://burgerbros.example/menu?x=1. Call tel:+48123 or open burgerbros://menu, " +
      "(see https://burgerbros.example/terms) and https://go.burgerbros.example/l/already.tracked";
    const out = trackTextLinks(text, tracking, "msg_1", writtenInSms(text));
    const links = out.match(/https:\/\/go\.burgerbros\.example\/l\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g) ?? [];
    expect(links).toHaveLength(3);
    expect(followed(links[0]!)).toEqual({ messageId: "msg_1", url: "https://burgerbros.example/menu?x=1" });
    expect(followed(links[1]!)).toEqual({ messageId: "msg_1", url: "https://burgerbros.example/terms" });
    expect(links[2]).toBe("https://go.burgerbros.example/l/already.tracked");
    expect(out).toContain(`${links[0]}. Call tel:+48123 or open burgerbros://menu, (see ${links[1]}) and`);
  });

  it("rewrites every href in HTML and signs the destination as a browser reads it (entities decoded)", () => {
    const html =
      '<a href="https://a.example/?x=1&amp;y=2">A</a> <a class="b" href=\'https://b.example/\'>B</a> ' +
      '<a href="mailto:hi@example.com">mail</a> <img src="https://a.example/logo.png">' +
      '<a data-href="https://c.example/" HREF = "https://d.example/">D</a>';
    const out = trackHtmlLinks(html, tracking, "msg_9", writtenInHtml(html));
    const hrefs = [...out.matchAll(/href\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    expect(followed(hrefs[0]!)).toEqual({ messageId: "msg_9", url: "https://a.example/?x=1&y=2" });
    expect(followed(hrefs[1]!)).toEqual({ messageId: "msg_9", url: "https://b.example/" });
    expect(hrefs[2]).toBe("mailto:hi@example.com");
    expect(hrefs[3]).toBe("https://c.example/");
    expect(followed(hrefs[4]!)).toEqual({ messageId: "msg_9", url: "https://d.example/" });
    expect(out).toContain('<a class="b" href="https://go.burgerbros.example/l/');
    expect(out).toContain('<img src="https://a.example/logo.png">');
  });

  it("tracks the push target and links in push bodies; keeps an app deep link", () => {
    const written = (url: string) => writtenLinks({ channel: "push", language: "en", title: "t", body: "b", url });
    const web = trackLinks(
      { channel: "push", title: "t", body: "b", url: "https://a.example/p" },
      tracking,
      "msg_3",
      written("https://a.example/p"),
    );
    expect(web.channel === "push" && followed(web.url!)).toEqual({ messageId: "msg_3", url: "https://a.example/p" });
    const app = trackLinks(
      { channel: "push", title: "t", body: "b", url: "burgerbros://profile" },
      tracking,
      "msg_3",
      written("burgerbros://profile"),
    );
    expect(app).toEqual({ channel: "push", title: "t", body: "b", url: "burgerbros://profile" });
  });

  it("are tracked after rendering, so links holding variables are tracked, and the SMS is measured as sent", () => {
    const sms = validateTemplate({
      channel: "sms",
      language: "en",
      body: "{{ customer.first_name }}: https://burgerbros.example/menu?code={{ coupon.code }}",
    });
    const composed = composeMessage(
      sms,
      { customer: { first_name: "Ola" }, coupon: { code: "FRIES-7KQ2" } },
      { messageId: "msg_7", tracking },
    );
    const body = composed.content.channel === "sms" ? composed.content.body : "";
    expect(followed(body.slice("Ola: ".length))).toEqual({
      messageId: "msg_7",
      url: "https://burgerbros.example/menu?code=FRIES-7KQ2",
    });
    expect(composed.sms).toMatchObject({ encoding: "GSM-7", units: body.length, segments: 1 });
  });

  it("refuse a tracking setup with a short secret or a base that is not a web address", () => {
    const content = { channel: "sms" as const, body: "https://a.example" };
    expect(() => trackLinks(content, { baseUrl: "https://go.example", secrets: ["short"] }, "m", noneWritten)).toThrow(
      /32 characters/,
    );
    expect(() => trackLinks(content, { baseUrl: "ftp://go.example", secrets: [secret] }, "m", noneWritten)).toThrow();
  });

  it("add an open pixel to HTML e-mails when asked: before </body>, or at the end", () => {
    const opened = (html: string) => {
      const src = /<img src="https:\/\/go\.burgerbros\.example\/l\/([^"]+)" width="1" height="1"/.exec(html)?.[1];
      return src ? verifyLinkToken([secret], src) : undefined;
    };
    const email = { channel: "email" as const, subject: "s", html: "<html><body><p>Hi</p></body></html>", text: "Hi" };
    const withPixel = trackLinks(email, { ...tracking, opens: true }, "msg_5", noneWritten);
    expect(withPixel.channel === "email" && withPixel.html).toMatch(
      /^<html><body><p>Hi<\/p><img [^>]+><\/body><\/html>$/,
    );
    expect(withPixel.channel === "email" && opened(withPixel.html!)).toEqual({
      ok: true,
      kind: "open",
      messageId: "msg_5",
    });
    expect(withPixel).toMatchObject({ text: "Hi" });
    const withoutPixel = trackLinks(email, tracking, "msg_5", noneWritten);
    expect(withoutPixel).toMatchObject({ html: email.html });
    expect(addOpenPixel("<p>fragment</p>", tracking, "msg_6")).toMatch(/^<p>fragment<\/p><img /);
  });
});

describe("links a customer's variables bring into the text", () => {
  // A customer picks their own name: signed, a web address there would be a redirect on the brand's tracking
  // domain that verifies forever.
  const evil = "https://evil.example/login";
  const trackerLinks = (text: string) => text.match(/https:\/\/go\.burgerbros\.example\/l\/[A-Za-z0-9_.-]+/g) ?? [];
  const compose = (template: unknown, customer: { first_name: string; last_name?: string }) =>
    composeMessage(
      validateTemplate(template),
      { customer, coupon: { code: "FRIES-7KQ2" } },
      { messageId: "msg_e", tracking },
    ).content;

  it("are left as text in an SMS, while the links the template wrote are tracked", () => {
    const alone = compose(
      { channel: "sms", language: "en", body: "Hi {{ customer.first_name }}, your fries are waiting!" },
      { first_name: evil },
    );
    expect(alone).toEqual({ channel: "sms", body: `Hi ${evil}, your fries are waiting!` });

    const content = compose(
      {
        channel: "sms",
        language: "en",
        body: "Hi {{ customer.first_name }}! Menu: https://burgerbros.example/menu, yours: https://burgerbros.example/c?code={{ coupon.code }}.",
      },
      { first_name: evil },
    );
    const body = content.channel === "sms" ? content.body : "";
    const links = trackerLinks(body);
    expect(links.map((l) => followed(l.replace(/[.,]$/, "")).url)).toEqual([
      "https://burgerbros.example/menu",
      "https://burgerbros.example/c?code=FRIES-7KQ2",
    ]);
    expect(body.startsWith(`Hi ${evil}! Menu: https://go.burgerbros.example/l/`)).toBe(true);
  });

  it("are left as text in a text e-mail and in a push, whose target a variable cannot make either", () => {
    const email = compose(
      {
        channel: "email",
        language: "en",
        subject: "Hi {{ customer.first_name }}",
        format: "text",
        body: "Dear {{ customer.first_name }} {{ customer.last_name }},\nthe menu: https://burgerbros.example/menu",
      },
      { first_name: evil, last_name: "https://evil.example/b" },
    );
    const text = email.channel === "email" ? email.text! : "";
    expect(text.startsWith(`Dear ${evil} https://evil.example/b,\nthe menu: `)).toBe(true);
    expect(trackerLinks(text).map((l) => followed(l).url)).toEqual(["https://burgerbros.example/menu"]);

    const push = compose(
      {
        channel: "push",
        language: "en",
        title: "{{ customer.first_name }}",
        body: "{{ customer.first_name }}, fries: https://burgerbros.example/menu",
        url: "{{ customer.first_name }}",
      },
      { first_name: evil },
    );
    if (push.channel !== "push") throw new Error("a push was composed as something else");
    expect(push.url).toBe(evil);
    expect(push.body.startsWith(`${evil}, fries: https://go.burgerbros.example/l/`)).toBe(true);
    expect(trackerLinks(push.body).map((l) => followed(l).url)).toEqual(["https://burgerbros.example/menu"]);
  });

  it("are tracked in a push target the template starts (its host written out), not in one a variable starts", () => {
    const target = (url: string, first_name: string) => {
      const content = compose({ channel: "push", language: "en", title: "t", body: "b", url }, { first_name });
      return content.channel === "push" ? content.url! : "";
    };
    expect(followed(target("https://burgerbros.example/p?c={{ coupon.code }}", "Ola")).url).toBe(
      "https://burgerbros.example/p?c=FRIES-7KQ2",
    );
    expect(followed(target("https://burgerbros.example/{{ customer.first_name }}", "menu")).url).toBe(
      "https://burgerbros.example/menu",
    );
    // The host is not finished before the variable, which could carry on to another one.
    expect(target("https://burgerbros.example{{ customer.first_name }}", ".evil.example/login")).toBe(
      "https://burgerbros.example.evil.example/login",
    );
    expect(target("{{ customer.first_name }}/login", "https://evil.example")).toBe("https://evil.example/login");
  });

  it("are left as text beside links the template wrote inside or just before a Liquid tag, which are tracked", () => {
    const sms = (body: string, first_name = "Ola") => {
      const content = compose({ channel: "sms", language: "en", body }, { first_name });
      return content.channel === "sms" ? content.body : "";
    };
    const branch = sms(
      "{% if coupon.code %}https://burgerbros.example{% else %}https://burgerbros.other{% endif %} {{ customer.first_name }}",
      evil,
    );
    expect(branch.endsWith(` ${evil}`)).toBe(true);
    expect(trackerLinks(branch).map((l) => followed(l).url)).toEqual(["https://burgerbros.example"]);

    // The sentence's full stop is written on the link, before the tag: the link is still the author's.
    const sentence = sms(
      "Visit https://burgerbros.example.{% if coupon.code %} See you, {{ customer.first_name }}!{% endif %}",
      evil,
    );
    expect(sentence.startsWith("Visit https://go.burgerbros.example/l/")).toBe(true);
    expect(sentence.endsWith(`. See you, ${evil}!`)).toBe(true);
    expect(trackerLinks(sentence).map((l) => followed(l.replace(/\.$/, "")).url)).toEqual([
      "https://burgerbros.example",
    ]);

    // A link written up to its host and finished by a variable could be finished on another host.
    expect(sms("https://burgerbros.example{{ customer.first_name }}", ".evil.example/login")).toBe(
      "https://burgerbros.example.evil.example/login",
    );
    expect(sms("https://burgerbros.example.{{ customer.first_name }}", "evil.example/login")).toBe(
      "https://burgerbros.example.evil.example/login",
    );

    const email = compose(
      {
        channel: "email",
        language: "en",
        subject: "s",
        body:
          '<a href="{% if coupon.code %}https://burgerbros.example/pl{% else %}https://burgerbros.example/en{% endif %}">menu</a>' +
          '<a href="{% if coupon.code %}{{ customer.first_name }}{% else %}https://burgerbros.example/{% endif %}">you</a>' +
          '<a href="{% if coupon.code %}https://burgerbros.example{{ customer.last_name }}{% endif %}">host</a>',
      },
      { first_name: evil, last_name: ".evil.example/login" },
    );
    const hrefs = [...(email.channel === "email" ? email.html! : "").matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(followed(hrefs[0]!).url).toBe("https://burgerbros.example/pl");
    expect(hrefs.slice(1)).toEqual([evil, "https://burgerbros.example.evil.example/login"]);
  });

  it("in an HTML href are not tracked unless the template wrote the link's start", () => {
    const email = compose(
      {
        channel: "email",
        language: "en",
        subject: "s",
        body:
          '<p>{{ customer.first_name }}</p><a href="{{ customer.first_name }}">you</a> ' +
          '<a href="https://burgerbros.example/c?x=1&amp;code={{ coupon.code }}">coupon</a>',
      },
      { first_name: evil },
    );
    const html = email.channel === "email" ? email.html! : "";
    expect(html).toContain(`<p>${evil}</p><a href="${evil}">you</a> `);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs).toHaveLength(2);
    expect(followed(hrefs[1]!).url).toBe("https://burgerbros.example/c?x=1&code=FRIES-7KQ2");
  });
});
