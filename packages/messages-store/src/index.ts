// @regulars/messages-store: every message to a customer in Postgres. Rendering and queueing, the senders'
// claims, delivery results and statuses, opens and clicks. The rules are `@regulars/messaging`'s.
export {};
