import { expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

it("trusts no proxy unless told, takes addresses and CIDR blocks, and refuses anything else by name", () => {
  expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
  expect(loadConfig({ TRUSTED_PROXIES: " 10.0.0.0/8, 127.0.0.1 ,2001:db8::/32," }).TRUSTED_PROXIES).toEqual([
    "10.0.0.0/8",
    "127.0.0.1",
    "2001:db8::/32",
  ]);
  for (const wrong of ["lb.internal", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/1", "10.0.0/8", "10.0.0.0/"])
    expect(() => loadConfig({ TRUSTED_PROXIES: wrong }), wrong).toThrow(/TRUSTED_PROXIES.*not an IP address/);
});
