import type { Redis } from 'ioredis';
import type { CaseRules } from '../../shared/case-rules.ts';
import type { Keys } from '../infra/keys.ts';
import { versionKey } from '../repositories/event-store.ts';

/** The field of the rules in force; every version also stays under its own field (`versionField`). */
export const CURRENT_RULES = 'current';
export const versionField = (version: number): string => `v${version}`;

/**
 * The case rules in the hot state (`{pz}:case-rules`): the current document and every version
 * ever saved (a few kB each; a case keeps the version it was accepted under). Written only by
 * commits (EventStore), read here.
 */
export class CaseRulesRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  /** The version in force (0: none yet), from the commit's own version hash: one small read. */
  async currentVersion(): Promise<number> {
    return Number((await this.redis.hget(versionKey(this.k.caseRules), CURRENT_RULES)) ?? 0);
  }

  async current(): Promise<CaseRules | null> {
    return this.read(CURRENT_RULES);
  }

  async atVersion(version: number): Promise<CaseRules | null> {
    return this.read(versionField(version));
  }

  private async read(field: string): Promise<CaseRules | null> {
    const v = await this.redis.hget(this.k.caseRules, field);
    return v === null ? null : (JSON.parse(v) as CaseRules);
  }
}
