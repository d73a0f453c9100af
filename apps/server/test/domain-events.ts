import type { Bus } from "@regulars/bus";

/** Every domain event in the namespace's DOMAIN stream (test streams are small). */
export async function domainEvents(bus: Bus, type?: string): Promise<any[]> {
  const stream = bus.topology.streams.domain;
  const info = await bus.jsm.streams.info(stream);
  const out: any[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    const body = m?.json<any>();
    if (body && (!type || body.type === type)) out.push(body);
  }
  return out;
}
