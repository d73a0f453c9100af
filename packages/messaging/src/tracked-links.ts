import { z } from "zod";
import { LinkSigningSecrets, makeLinkToken, makeOpenToken } from "./link-token.ts";
import type { RenderedContent } from "./render.ts";

export const LinkTracking = z.object({
  /** Where clicks land: `https://go.brand.example/l`; the token is appended as one more path segment. */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, "")),
  secrets: LinkSigningSecrets,
  /**
   * Add an open pixel to HTML e-mails. Off unless asked: opens are a weak signal (mail apps that fetch
   * images for privacy open everything, others block images) and say more about a person than a click.
   */
  opens: z.boolean().default(false),
});
export type LinkTracking = z.infer<typeof LinkTracking>;
/** What making a tracking URL needs: where the tracker is and the signing secrets. */
export type Tracker = Pick<LinkTracking, "baseUrl" | "secrets">;
export type LinkTrackingInput = z.input<typeof LinkTracking>;

/**
 * Web links only: `mailto:`, `tel:` and an app's own scheme (`brand://menu`) open something on the phone, not
 * a page, so a redirect through the tracker would break them. Links already pointing at the tracker are kept.
 */
const trackable = (url: string, tracking: Tracker): boolean =>
  /^https?:\/\//i.test(url) && !url.startsWith(`${tracking.baseUrl}/`);

export function trackingUrl(tracking: Tracker, messageId: string, url: string): string {
  return `${tracking.baseUrl}/${makeLinkToken(tracking.secrets, messageId, url)}`;
}

/**
 * A 1×1 image whose URL carries an open token, before `</body>` when there is one: the tracker records the
 * message as opened and answers with a transparent image.
 */
export function addOpenPixel(html: string, tracking: Tracker, messageId: string): string {
  const pixel =
    `<img src="${tracking.baseUrl}/${makeOpenToken(tracking.secrets, messageId)}" width="1" height="1" alt=""` +
    ' style="border:0;width:1px;height:1px">';
  const end = html.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return end === -1 ? html + pixel : html.slice(0, end) + pixel + html.slice(end);
}

// A bare link in text ends at white space or a quote/bracket; final punctuation belongs to the sentence.
const textLink = /https?:\/\/[^\s<>"'()[\]{}]+/gi;
const trailingPunctuation = /[.,;:!?]+$/;

export function trackTextLinks(text: string, tracking: Tracker, messageId: string): string {
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
export function trackHtmlLinks(html: string, tracking: Tracker, messageId: string): string {
  return html.replace(hrefAttribute, (whole, start: string, double?: string, single?: string) => {
    const url = unescapeAttribute((double ?? single ?? "").trim());
    if (!trackable(url, tracking)) return whole;
    return `${start}"${trackingUrl(tracking, messageId, url)}"`;
  });
}

/** Every link of a rendered message sent through the tracker, so each click is recorded and redirected. */
export function trackLinks(
  content: RenderedContent,
  trackingInput: LinkTrackingInput,
  messageId: string,
): RenderedContent {
  const tracking = LinkTracking.parse(trackingInput);
  switch (content.channel) {
    case "email": {
      const out: RenderedContent = { channel: "email", subject: content.subject };
      if (content.html !== undefined) {
        const html = trackHtmlLinks(content.html, tracking, messageId);
        out.html = tracking.opens ? addOpenPixel(html, tracking, messageId) : html;
      }
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
