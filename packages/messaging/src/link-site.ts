/**
 * Scheme and host of a link, '' when it has none: user info, port, path, query and fragment go. A template may put
 * the customer's name, e-mail or phone anywhere in a link, so this is what may be kept of a clicked link once the
 * message's text is gone (retention) or the person is (erasure); campaign results still count clicks by site. The
 * same cut as the SQL forms @regulars/privacy runs in Postgres and ClickHouse (tables.ts): the user info ends at the
 * last '@' before the path, as browsers read it; scheme and host keep their case.
 */
const linkSite = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(?:[^/?#]*@)?(\[[^\]/?#]*\]|[^\]/?#:@[]+)/;

export function siteOfLink(link: string): string {
  const site = linkSite.exec(link);
  return site ? `${site[1]}${site[2]}` : "";
}
