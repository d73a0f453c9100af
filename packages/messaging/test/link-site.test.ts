import { describe, expect, it } from "vitest";
import { siteOfLink } from "../src/index.ts";

// The cases were checked against @regulars/privacy's Postgres form of the cut (tables.ts), which gives the same.
describe("siteOfLink", () => {
  it.each([
    ["https://shop.example/offer?email=ann%40example.com&name=Ann", "https://shop.example"],
    ["HTTPS://Shop.Example:8443/a/b#f", "HTTPS://Shop.Example"],
    ["https://shop.example?email=ann@example.com", "https://shop.example"],
    ["https://shop.example#ann@example.com", "https://shop.example"],
    // The user info ends at the last '@' before the path, as browsers read it.
    ["https://ann:p@ss@shop.example/x", "https://shop.example"],
    ["http://[2001:db8::1]:8080/x?y", "http://[2001:db8::1]"],
  ])("keeps the scheme and host of %s", (link, site) => {
    expect(siteOfLink(link)).toBe(site);
  });

  it.each(["mailto:ann@example.com", "shop.example/offer?name=Ann", "https:///path", ""])(
    "keeps nothing of %j, which names no host",
    (link) => {
      expect(siteOfLink(link)).toBe("");
    },
  );
});
