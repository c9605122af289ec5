import type { CaseRules, CaseRulesInput, Department } from '../../shared/case-rules.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { EventStore } from '../repositories/event-store.ts';
import { conflict, DomainError } from '../services/errors.ts';
import { WorkingCalendar } from './calendar.ts';
import { CURRENT_RULES, versionField, type CaseRulesRepository } from './case-rules.repository.ts';
import { defaultCaseRules } from './default-rules.ts';
import { checkRules } from './rules-check.ts';

export const RULES_SEED_ACTOR = 'system:seed';

/** A version of the rules with its working calendar built once. */
export type RulesInForce = { rules: CaseRules; calendar: WorkingCalendar };

const rulesEvent = (rules: CaseRules, actor: string): PendingEvent => ({
  type: 'case_rules.changed',
  actor,
  data: { ...rules, id: 'case-rules' },
});

/**
 * The case-rules document (`GET/PUT /api/v1/case-rules`): version 1 seeded from the defaults,
 * every save a commit of a new version with its `case_rules.changed` event. Versions never change
 * once saved, so each is read from Redis once per process and kept (with its calendar).
 */
export class CaseRulesService {
  private readonly byVersion = new Map<number, RulesInForce>();
  private readonly streetIds: ReadonlySet<string>;

  constructor(
    private readonly store: EventStore,
    private readonly repo: CaseRulesRepository,
    readonly departments: readonly Department[],
    streetIds: Iterable<string>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.streetIds = new Set(streetIds);
  }

  /**
   * Version 1 from the defaults, through a real event, into a store that has no rules yet; a
   * second process (or start) finds it there, or loses the race on the commit's expectation.
   */
  async seed(now = this.clock()): Promise<boolean> {
    if ((await this.repo.currentVersion()) > 0) return false;
    const rules: CaseRules = {
      ...defaultCaseRules([...this.departments]),
      version: 1,
      updatedAt: now.toISOString(),
      updatedBy: RULES_SEED_ACTOR,
    };
    const res = await this.store.commit(
      {
        idempotencyKey: 'case-rules:v1',
        expect: [{ hash: 'caseRules', id: CURRENT_RULES, version: null }],
        put: [
          { hash: 'caseRules', id: CURRENT_RULES, value: rules },
          { hash: 'caseRules', id: versionField(1), value: rules },
        ],
        events: [rulesEvent(rules, RULES_SEED_ACTOR)],
      },
      now,
    );
    return res.status === 'ok';
  }

  async current(): Promise<CaseRules> {
    return (await this.inForce()).rules;
  }

  /** The version in force now, with its calendar. */
  async inForce(): Promise<RulesInForce> {
    let v = await this.repo.currentVersion();
    if (v === 0) {
      // A store that predates the rules (or was flushed): seed it, as a start would.
      await this.seed();
      v = await this.repo.currentVersion();
      if (v === 0) throw new DomainError(503, 'unavailable', 'the case rules are not there yet');
    }
    return this.forVersion(v);
  }

  /** A case's own version (0: a case from before the rules, which follows the version in force). */
  async forVersion(version: number): Promise<RulesInForce> {
    if (version === 0) return this.inForce();
    const cached = this.byVersion.get(version);
    if (cached) return cached;
    const rules = await this.repo.atVersion(version);
    if (!rules) throw new DomainError(503, 'unavailable', `case rules version ${version} not found`);
    const entry = { rules, calendar: new WorkingCalendar(rules.calendar) };
    this.byVersion.set(version, entry);
    return entry;
  }

  /** A save by the admin: every problem named (400), a stale `version` 409, else the new version. */
  async update(input: CaseRulesInput, actor: string): Promise<CaseRules> {
    const issues = checkRules(input, this.departments, this.streetIds);
    if (issues.length)
      throw new DomainError(400, 'invalid_request', 'the case rules have problems', issues);
    const now = this.clock();
    const cur = await this.current();
    if (input.version !== undefined && input.version !== cur.version)
      throw conflict(`the case rules are at version ${cur.version}; you edited version ${input.version}`);
    const { version: _edited, note, ...doc } = input;
    const rules: CaseRules = {
      ...doc,
      version: cur.version + 1,
      updatedAt: now.toISOString(),
      updatedBy: actor,
      ...(note ? { note } : {}),
    };
    const res = await this.store.commit(
      {
        expect: [{ hash: 'caseRules', id: CURRENT_RULES, version: cur.version }],
        put: [
          { hash: 'caseRules', id: CURRENT_RULES, value: rules },
          { hash: 'caseRules', id: versionField(rules.version), value: rules },
        ],
        events: [rulesEvent(rules, actor)],
      },
      now,
    );
    if (res.status !== 'ok')
      throw conflict('the case rules were changed by someone else meanwhile; reload and edit again');
    return rules;
  }
}
