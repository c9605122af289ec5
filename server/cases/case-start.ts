import type { Incident } from '../../shared/incident.ts';
import type { CommitPlan } from '../repositories/event-store.ts';
import type { CaseActionsService } from './case-actions.service.ts';
import { CURRENT_RULES } from './case-rules.repository.ts';
import type { CaseRulesService } from './case-rules.service.ts';
import { startLevel, startStep } from './lifecycle.ts';

/** The fields a case gets when it is accepted. */
export type CaseFields = 'departmentId' | 'level' | 'rulesVersion' | 'steps';
export type NewCase = Omit<Incident, CaseFields>;

/**
 * The start of a case (受理), for whoever creates incidents (the pipeline, the alert review): the
 * rules version in force, the level of the grid that holds it, its first step (`verify`) due by
 * its limit, and the expectation that pins that version in the creating commit (a save of the
 * rules meanwhile makes the commit retry, so a case never carries a version older than it was
 * accepted under). `schedule` adds its deadline timers; call it before the commit.
 */
export class CaseStart {
  constructor(
    private readonly rules: CaseRulesService,
    private readonly actions: CaseActionsService,
  ) {}

  async start(
    draft: NewCase,
    now: Date,
  ): Promise<{ incident: Incident; expect: NonNullable<CommitPlan['expect']>[number] }> {
    const { rules, calendar } = await this.rules.inForce();
    const incident: Incident = {
      ...draft,
      departmentId: null,
      level: startLevel(draft),
      rulesVersion: rules.version,
      steps: [startStep('verify', draft.category, rules, calendar, now)],
    };
    return { incident, expect: { hash: 'caseRules', id: CURRENT_RULES, version: rules.version } };
  }

  schedule(incident: Incident): Promise<void> {
    return this.actions.scheduleAccepted(incident);
  }
}
