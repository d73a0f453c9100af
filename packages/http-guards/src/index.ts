export { KeyRateLimiter, type BucketLimit, type RateDecision, type RateLimiterOptions } from "./rate-limiter.ts";
export { RateLimitSetting } from "./rate-limit-config.ts";
export { jsonNestedDeeperThan, MAX_REQUEST_JSON_DEPTH } from "./json-depth.ts";
