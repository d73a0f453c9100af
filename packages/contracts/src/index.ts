import "./field-messages.ts";
export * from "./primitives.ts";
export * from "./transaction.ts";
export * from "./event.ts";
export * from "./messages.ts";
export * from "./programme.ts";
export * from "./acceptance.ts";
export * from "./text.ts";
