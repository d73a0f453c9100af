import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";

export interface ProgrammeInForce {
  version: number;
  config: ProgrammeConfig;
}

/**
 * Programme versions per tenant, cached briefly: every transaction needs the version in force at its
 * `occurredAt`, and reading it from Postgres per message would double the hot path's queries.
 */
export class ProgrammeCache {
  private readonly cache = new Map<string, { loadedAt: number; versions: { version: number; from: number; config: ProgrammeConfig }[] }>();
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  async inForce(tenantId: string, occurredAt: Date): Promise<ProgrammeInForce | null> {
    let entry = this.cache.get(tenantId);
    if (!entry || Date.now() - entry.loadedAt > this.ttlMs) {
      const rows = await this.db.programmeVersion.findMany({ where: { tenantId }, orderBy: { effectiveFrom: "desc" } });
      entry = {
        loadedAt: Date.now(),
        versions: rows.map((r) => ({ version: r.version, from: r.effectiveFrom.getTime(), config: ProgrammeConfig.parse(r.config) })),
      };
      this.cache.set(tenantId, entry);
    }
    const t = occurredAt.getTime();
    const found = entry.versions.find((v) => v.from <= t);
    return found ? { version: found.version, config: found.config } : null;
  }
}
