export { type DemoCustomer, generateCustomer, phoneOf } from "./customer.ts";
export { type DemoHistory, generateHistory } from "./history.ts";
export { type SeedOptions, type SeedProgress, seedDemo, utcOffsetMinutes } from "./seed.ts";
export { type DemoShape, dayparts, locationOf, type MenuItem } from "./shape.ts";
