import { z } from "zod";
import { LinkSigningSecrets, makeLinkToken, makeOpenToken } from "./link-token.ts";
import type { RenderedContent } from "./render.ts";
import { type MessageTemplate, templateFields } from "./template.ts";

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
// A brace ends it too, so in a template's source a link stops where Liquid (`{{`, `{%`) begins.
const textLink = /https?:\/\/[^\s<>"'()[\]{}]+/gi;
const trailingPunctuation = /[.,;:!?]+$/;
const liquidStart = /\{[{%]/;

/**
 * The links a template's author wrote, which are the only destinations a message may sign. Tracking runs on
 * the rendered text, where a customer's own words sit beside the author's: a first name of
 * `https://evil.example/login` would otherwise get a token that verifies forever, and the click route
 * redirects any verified token, so the brand's tracking domain would become an open redirect. A link is
 * matched by its text, not its place: a variable that spells out a written link gets it signed, which is
 * harmless, as the template leads there anyway.
 */
export interface WrittenLinks {
  /**
   * Links written out in full, Liquid after them or not: signed when the rendered link is exactly one of them.
   */
  readonly exact: ReadonlySet<string>;
  /**
   * The literal start of links that go on in Liquid (`https://brand.example/menu?c={{ coupon.code }}`): a
   * rendered link that starts with one is signed, whatever the variables filled in after it. Kept only when
   * the literal part reaches past the host (a `/`, `?` or `#` after it), so the author chose where the click
   * lands and a variable can only pick the page: `https://brand.example{{ x }}` could be filled to
   * `https://brand.example.evil.example`, and a link that starts inside a variable is never the author's.
   */
  readonly prefixes: ReadonlySet<string>;
}
type Written = { exact: Set<string>; prefixes: Set<string> };

// A host that is not empty and has ended: `https:///…` and `https://\…` are read by browsers as another host.
const pastTheHost = /^https?:\/\/[^/?#\\]+[/?#]/i;

/** Records one link of a template's source: `beforeLiquid` when Liquid follows it directly. */
function addWritten(into: Written, link: string, beforeLiquid: boolean): void {
  if (!beforeLiquid) into.exact.add(link);
  else if (pastTheHost.test(link)) into.prefixes.add(link);
}

/**
 * A link field, such as a push's target or an `href`: the whole source is one link, perhaps ending in Liquid.
 * Liquid may also choose among links written out in full (`{% if … %}https://a…{% else %}https://b…{% endif %}`),
 * which the field's start alone would miss, so those are read as in text.
 */
function addWrittenField(into: Written, value: string): void {
  const cut = value.search(liquidStart);
  addWritten(into, cut === -1 ? value : value.slice(0, cut), cut !== -1);
  if (cut !== -1) writtenInText(into, value);
}

function writtenInText(into: Written, source: string): void {
  for (const match of source.matchAll(textLink)) {
    const end = match.index + match[0].length;
    // Liquid after a link may go on with it or may not (`…/menu.{% if … %}`, a branch of an `{% if %}`): the
    // link as written is the author's either way, and it may also be the start of a longer one.
    if (liquidStart.test(source.slice(end, end + 2))) addWritten(into, match[0], true);
    addWritten(into, match[0].replace(trailingPunctuation, ""), false);
  }
}

function writtenInHtml(into: Written, source: string): void {
  for (const match of source.matchAll(hrefAttribute))
    addWrittenField(into, unescapeAttribute((match[2] ?? match[3] ?? "").trim()));
}

/** The links written in a template's own (unrendered) fields: what `trackLinks` may sign for it. */
export function writtenLinks(template: MessageTemplate): WrittenLinks {
  const into: Written = { exact: new Set(), prefixes: new Set() };
  for (const { field, source, html } of templateFields(template))
    if (field === "url") addWrittenField(into, source.trim());
    else if (html) writtenInHtml(into, source);
    else writtenInText(into, source);
  return into;
}

/**
 * Whether a rendered link is one the template wrote. `found` is the link with the sentence's punctuation
 * still on, as a prefix written before Liquid may end in such punctuation (`…/menu?{{ … }}`).
 */
const isWritten = (written: WrittenLinks, url: string, found = url): boolean =>
  written.exact.has(url) || [...written.prefixes].some((prefix) => found.startsWith(prefix));

/**
 * Sends the links of a text through the tracker, those the template wrote (`written`) only: any other link,
 * such as one a customer typed as their name, stays as it is, neither signed nor rewritten.
 */
export function trackTextLinks(text: string, tracking: Tracker, messageId: string, written: WrittenLinks): string {
  return text.replace(textLink, (found) => {
    const tail = trailingPunctuation.exec(found)?.[0] ?? "";
    const url = found.slice(0, found.length - tail.length);
    return trackable(url, tracking) && isWritten(written, url, found)
      ? trackingUrl(tracking, messageId, url) + tail
      : found;
  });
}

// `\s` before `href`: a `data-href` attribute is not the link.
const hrefAttribute = /(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;
const unescapeAttribute = (v: string): string =>
  v.replace(/&(amp|quot|#39|#x27|lt|gt);/g, (_, e: string) =>
    e === "amp" ? "&" : e === "quot" ? '"' : e === "lt" ? "<" : e === "gt" ? ">" : "'",
  );

/**
 * Rewrites the `href` of every `<a>` in an HTML body that the template wrote (`written`); the destination is
 * signed as the reader's browser sees it. Variables are escaped, so they cannot add an `<a>`, but a template
 * may put one in an `href`.
 */
export function trackHtmlLinks(html: string, tracking: Tracker, messageId: string, written: WrittenLinks): string {
  return html.replace(hrefAttribute, (whole, start: string, double?: string, single?: string) => {
    const url = unescapeAttribute((double ?? single ?? "").trim());
    if (!trackable(url, tracking) || !isWritten(written, url)) return whole;
    return `${start}"${trackingUrl(tracking, messageId, url)}"`;
  });
}

/**
 * Every link of a rendered message that its template wrote (`writtenLinks(template)`) sent through the
 * tracker, so each click is recorded and redirected.
 */
export function trackLinks(
  content: RenderedContent,
  trackingInput: LinkTrackingInput,
  messageId: string,
  written: WrittenLinks,
): RenderedContent {
  const tracking = LinkTracking.parse(trackingInput);
  switch (content.channel) {
    case "email": {
      const out: RenderedContent = { channel: "email", subject: content.subject };
      if (content.html !== undefined) {
        const html = trackHtmlLinks(content.html, tracking, messageId, written);
        out.html = tracking.opens ? addOpenPixel(html, tracking, messageId) : html;
      }
      if (content.text !== undefined) out.text = trackTextLinks(content.text, tracking, messageId, written);
      return out;
    }
    case "sms":
      return { channel: "sms", body: trackTextLinks(content.body, tracking, messageId, written) };
    case "push": {
      const body = trackTextLinks(content.body, tracking, messageId, written);
      const url =
        content.url && trackable(content.url, tracking) && isWritten(written, content.url)
          ? trackingUrl(tracking, messageId, content.url)
          : content.url;
      return url
        ? { channel: "push", title: content.title, body, url }
        : { channel: "push", title: content.title, body };
    }
  }
}
