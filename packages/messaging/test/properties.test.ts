import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeLinkToken, smsLength, type Tracker, trackTextLinks, verifyLinkToken, writtenLinks } from "../src/index.ts";

const secret = "p".repeat(32);
const messageId = fc.stringMatching(/^msg_[0-9a-z]{1,26}$/);
const url = fc.webUrl({ withQueryParameters: true, withFragments: true });

describe("link tokens, for any message and destination", () => {
  it("verify to exactly what was signed", () => {
    fc.assert(
      fc.property(messageId, url, (id, link) => {
        expect(verifyLinkToken([secret], makeLinkToken([secret], id, link))).toEqual({
          ok: true,
          kind: "click",
          messageId: id,
          url: link,
        });
      }),
    );
  });

  it("never verify once a character is changed", () => {
    fc.assert(
      fc.property(messageId, url, fc.nat(), fc.constantFrom(..."AZaz09-_"), (id, link, at, replacement) => {
        const token = makeLinkToken([secret], id, link);
        const i = at % token.length;
        fc.pre(token[i] !== replacement && token[i] !== ".");
        const changed = token.slice(0, i) + replacement + token.slice(i + 1);
        const verified = verifyLinkToken([secret], changed);
        // A change in the last character of the MAC may only touch padding bits base64url ignores.
        if (verified.ok)
          expect(Buffer.from(changed.split(".")[1]!, "base64url")).toEqual(
            Buffer.from(token.split(".")[1]!, "base64url"),
          );
        else expect(verified.ok).toBe(false);
      }),
    );
  });
});

describe("tracked text, for any links in any text", () => {
  const tracking: Tracker = { baseUrl: "https://t.example/l", secrets: [secret] };
  const word = fc.stringMatching(/^[A-Za-z]{1,8}[.,!?]?$/);
  // Links as they stand in running text: no quotes or brackets inside, not ending in sentence punctuation.
  const link = url.filter((u) => /^[^\s<>"'()[\]{}]+$/.test(u) && !/[.,;:!?]$/.test(u));
  const parts = fc.array(
    fc.oneof(
      word.map((w) => ({ w })),
      link.map((u) => ({ u })),
    ),
    { maxLength: 8 },
  );
  const trackerLink = /https:\/\/t\.example\/l\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

  it("sends every web link through the tracker once, and the tracker leads back to the text as written", () => {
    fc.assert(
      fc.property(parts, (list) => {
        const original = list.map((p) => ("w" in p ? p.w : p.u)).join(" ");
        const written = writtenLinks({ channel: "sms", language: "en", body: original });
        const tracked = trackTextLinks(original, tracking, "msg_1", written);
        expect(trackTextLinks(tracked, tracking, "msg_1", written)).toBe(tracked);
        // The same text brought by a variable into a template that writes no link: nothing is signed.
        const unwritten = writtenLinks({ channel: "sms", language: "en", body: "{{ customer.first_name }}" });
        expect(trackTextLinks(original, tracking, "msg_1", unwritten)).toBe(original);
        // Liquid after each link renders to the same text, and leaves the links the author's.
        const withTags = list.map((p) => ("w" in p ? p.w : `${p.u}{% if true %}{% endif %}`)).join(" ");
        const taggedWritten = writtenLinks({ channel: "sms", language: "en", body: withTags });
        expect(trackTextLinks(original, tracking, "msg_1", taggedWritten)).toBe(tracked);
        const destinations = [...tracked.matchAll(trackerLink)].map((m) => verifyLinkToken([secret], m[1]!));
        expect(destinations).toEqual(
          list.flatMap((p) => ("u" in p ? [{ ok: true, kind: "click", messageId: "msg_1", url: p.u }] : [])),
        );
        const followed = tracked.replace(trackerLink, (_, token: string) => {
          const verified = verifyLinkToken([secret], token);
          return verified.ok && verified.kind === "click" ? verified.url : "?";
        });
        expect(followed).toBe(original);
      }),
    );
  });
});

describe("SMS length, for any text", () => {
  it("has enough parts for its units, and no more than one part too many for the packing rule", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab €{ś🍔\n"), maxLength: 400 }), (text) => {
        const { units, segments, perSegment } = smsLength(text);
        expect(segments * perSegment).toBeGreaterThanOrEqual(units);
        if (segments > 1) expect((segments - 1) * perSegment).toBeLessThan(units + segments);
      }),
    );
  });
});
