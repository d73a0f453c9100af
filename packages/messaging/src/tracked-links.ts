import { z } from "zod";
import { LinkSigningSecrets, makeLinkToken } from "./link-token.ts";
import type { RenderedContent } from "./render.ts";

export const LinkTracking = z.object({
  /** Where clicks land: `https://go.brand.example/l`; the token is appended as one more path segment. */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, "")),
  secrets: LinkSigningSecrets,
});
export type LinkTracking = z.infer<typeof LinkTracking>;
export type LinkTrackingInput = z.input<typeof LinkTracking>;

/**
 * Web links only: `mailto:`, `tel:` and an app's own scheme (`brand://menu`) open something on the phone, not
 * a page, so a redirect through the tracker would break them. Links already pointing at the tracker are kept.
 */
const trackable = (url: string, tracking: LinkTracking): boolean =>
  /^https?:\/\//i.test(url) && !url.startsWith(`${tracking.baseUrl}/`);

export function trackingUrl(tracking: LinkTracking, messageId: string, url: string): string {
  return `${tracking.baseUrl}/${makeLinkToken(tracking.secrets, messageId, url)}`;
}

// A bare link in text ends at white space or a quote/bracket; final punctuation belongs to the sentence.
const textLink = /https?:\/\/[^\s<>"'()[\]{}]+/gi;
const trailingPunctuation = /[.,;:!?]+$/;

export function trackTextLinks(text: string, tracking: LinkTracking, messageId: string): string {
  return text.replace(textLink, (found) => {
    const tail = trailingPunctuation.exec(found)?.[0] ?? "";
    const url = found.slice(0, found.length - tail.length);
    return trackable(url, tracking) ? trackingUrl(tracking, messageId, url) + tail : found;
  });
}

// `\s` before `href`: a `data-href` attribute is not the link.
const hrefAttribute = /(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;
const unescapeAttribute = (v: string): string =>
  v.replace(/&(amp|quot|#39|#x27|lt|gt);/g, (_, e: string) =>
    e === "amp" ? "&" : e === "quot" ? '"' : e === "lt" ? "<" : e === "gt" ? ">" : "'",
  );

/** Rewrites the `href` of every `<a>` in an HTML body; the destination is signed as the reader's browser sees it. */
export function trackHtmlLinks(html: string, tracking: LinkTracking, messageId: string): string {
  return html.replace(hrefAttribute, (whole, start: string, double?: string, single?: string) => {
    const url = unescapeAttribute((double ?? single ?? "").trim());
    if (!trackable(url, tracking)) return whole;
    return `${start}"${trackingUrl(tracking, messageId, url)}"`;
  });
}

/** Every link of a rendered message sent through the tracker, so each click is recorded and redirected. */
export function trackLinks(content: RenderedContent, trackingInput: LinkTracking, messageId: string): RenderedContent {
  const tracking = LinkTracking.parse(trackingInput);
  switch (content.channel) {
    case "email": {
      const out: RenderedContent = { channel: "email", subject: content.subject };
      if (content.html !== undefined) out.html = trackHtmlLinks(content.html, tracking, messageId);
      if (content.text !== undefined) out.text = trackTextLinks(content.text, tracking, messageId);
      return out;
    }
    case "sms":
      return { channel: "sms", body: trackTextLinks(content.body, tracking, messageId) };
    case "push": {
      const body = trackTextLinks(content.body, tracking, messageId);
      const url =
        content.url && trackable(content.url, tracking) ? trackingUrl(tracking, messageId, content.url) : content.url;
      return url
        ? { channel: "push", title: content.title, body, url }
        : { channel: "push", title: content.title, body };
    }
  }
}
