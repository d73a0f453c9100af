export * from "./codes.ts";
export * from "./types.ts";
