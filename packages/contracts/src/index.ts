import "./field-messages.ts";

export * from "./acceptance.ts";
export * from "./campaign.ts";
export * from "./campaign-events.ts";
export * from "./campaign-trigger.ts";
export * from "./checkout.ts";
export * from "./customer-profile.ts";
export * from "./event.ts";
export { exampleSaleLines } from "./examples.ts";
export * from "./fingerprint.ts";
export * from "./messages.ts";
export * from "./partition-key.ts";
export * from "./primitives.ts";
export * from "./programme.ts";
export * from "./segment.ts";
export * from "./status.ts";
export * from "./text.ts";
export * from "./transaction.ts";
