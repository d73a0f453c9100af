/**
 * The body every endpoint receives, in the shape Standard Webhooks recommends: `type`, `timestamp` (when the
 * event happened) and `data`. `data` is the domain event less its tenant (the receiver is the tenant);
 * `data.id` names the event, the same on every endpoint it goes to.
 */
export interface WebhookEnvelope {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export function envelopeOf(event: { type: string; occurredAt: string } & Record<string, unknown>): WebhookEnvelope {
  const { tenantId: _tenant, ...data } = event;
  return { type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data };
}

/** The body of a test delivery: no customer data, only what identifies the request. */
export function pingEnvelope(endpointId: string, at: Date): WebhookEnvelope {
  return { type: "webhook.ping", timestamp: at.toISOString(), data: { endpointId } };
}
