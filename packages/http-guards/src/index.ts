export { type BodyTextRefusal, charsetOf, readUtf8BodyText } from "./body-text.ts";
export { type BrowserCorsOptions, corsForBrowsers } from "./browser-cors.ts";
export { httpDefaults } from "./defaults.ts";
export { jsonNestedDeeperThan, MAX_REQUEST_JSON_DEPTH } from "./json-depth.ts";
export { methodsServedAt } from "./methods-served.ts";
export { RateLimitSetting } from "./rate-limit-config.ts";
export { type BucketLimit, KeyRateLimiter, type RateDecision, type RateLimiterOptions } from "./rate-limiter.ts";
