import type { Incident } from '../../shared/incident.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { Warning } from '../../shared/warning.ts';
import { DomainError, notFound } from '../infra/domain-errors.ts';
import { currentRequestId } from '../infra/request-id.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import type { CommitPlan, EventStore } from '../log/event-store.ts';
import type { JobName } from '../pipeline/registry.ts';
import { capTimeMs, type CapAlert } from './cap-model.ts';
import { parseCap } from './cap-parse.ts';
import { writeCap } from './cap-write.ts';
import { incidentCap } from './incident-cap.ts';
import { applyCap, issuerOf, type BookOutcome } from './warning-book.ts';
import { aliasField, type StoredRaw, type WarningRepository } from './warning.repository.ts';
import { isShownWarning } from './warning-shown.ts';
import { warningId } from './warning-id.ts';

export { warningId };

/** The expiry timer's job id: one per (warning, expires), so an Update's new `expires` gets its own. */
export const expiryJobId = (id: string, expires: string): string => `WX-${id}-${Date.parse(expires)}`;

export interface WarningQueue {
  add(name: JobName, data: unknown, jobId: string, opts?: { delay?: number }): Promise<void>;
  /** A job with this id waits or runs (not done, not failed). */
  pending(jobId: string): Promise<boolean>;
}

export type CapJob = { id: string; raw: string; actor: string; receivedAt: string; requestId?: string };

const problemsError = (problems: { path: string; message: string }[]) =>
  new DomainError(
    400,
    'invalid_cap',
    problems.map((p) => `${p.path || '(alert)'}: ${p.message}`).join('; '),
    problems.map((p) => ({ path: p.path, message: p.message })),
  );

/**
 * CAP in and out. Intake parses and checks the references, then queues the raw bytes; the job
 * parses them again (the parse is pure) and applies the message inside one commit.
 */
export class WarningService {
  constructor(
    private readonly store: EventStore,
    private readonly repo: WarningRepository,
    private readonly queue: WarningQueue,
    private readonly opts: {
      defaultExpiryMs: number;
      capSender: string;
      /** Intake's rate limit and backlog check (429/503), after the message proved valid. */
      admit?: (actor: string) => Promise<void>;
    },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * `fromKey`: the poster is an integration (its key), which may Update or Cancel only the
   * warnings it issued itself — one system cannot overwrite another's. Operators may act on any.
   */
  async submit(
    bytes: Uint8Array,
    actor: string,
    requestId: string | undefined = currentRequestId(),
    fromKey = false,
  ): Promise<{ id: string; status: 'queued' }> {
    const parsed = parseCap(bytes);
    if (!parsed.ok) throw problemsError(parsed.problems);
    const a = parsed.alert;
    const id = warningId(a.sender, a.identifier);
    if (a.msgType === 'Update' || a.msgType === 'Cancel') {
      // A reference must be a message we hold, or one accepted (202) whose job has not run yet:
      // a sender may post an Alert and its Update back to back. The job waits for the latter.
      const refs = a.references ?? [];
      const held = await this.repo.threadIds(refs);
      const unknown: string[] = [];
      for (let i = 0; i < refs.length; i++) {
        if (held[i] !== null) continue;
        if (await this.queue.pending(warningId(refs[i].sender, refs[i].identifier))) continue;
        unknown.push(`${refs[i].sender},${refs[i].identifier},${refs[i].sent}`);
      }
      if (unknown.length)
        throw new DomainError(
          409,
          'unknown_reference',
          `references name messages never received: ${unknown.join(' ')}`,
          unknown.map((u) => ({ path: 'references', message: `unknown alert ${u}` })),
        );
      if (fromKey) {
        const threads = await this.repo.get([...new Set(held.filter((x): x is string => x !== null))]);
        const others = [...threads.values()].filter((w) => {
          const issuer = issuerOf(w);
          return issuer !== undefined && issuer !== actor;
        });
        if (others.length)
          throw new DomainError(
            403,
            'forbidden',
            `references name warnings another integration issued: ${others.map((w) => `${w.sender},${w.identifier}`).join(' ')}`,
            others.map((w) => ({ path: 'references', message: `issued by another integration: ${w.id}` })),
          );
      }
    }
    await this.opts.admit?.(actor);
    const job: CapJob = {
      id,
      raw: Buffer.from(bytes).toString('base64'),
      actor,
      receivedAt: this.clock().toISOString(),
      ...(requestId ? { requestId } : {}),
    };
    await this.queue.add('warning.cap', job, id);
    return { id, status: 'queued' };
  }

  /** The pipeline job: one message, one commit (a duplicate changes nothing). */
  async apply(job: CapJob): Promise<{ id: string; outcome: BookOutcome['kind'] }> {
    const parsed = parseCap(Buffer.from(job.raw, 'base64'));
    // Intake parsed the same bytes: only a changed parser gets here, and no retry changes that.
    if (!parsed.ok) throw problemsError(parsed.problems);
    const a = parsed.alert;
    const raw: StoredRaw = { warningId: job.id, sender: a.sender, identifier: a.identifier, raw: job.raw };
    const { result, events } = await commitWithRetry(this.store, async (now) => {
      const outcome = await this.decide(a, now.getTime(), job.actor);
      return { plan: this.plan(a, outcome, raw, job), result: outcome };
    });
    if (result.kind === 'unknown_reference')
      // Passed intake's check, so the referenced message was queued: it has not run yet. Retried.
      throw new Error(`a referenced message is not applied yet (${job.id})`);
    for (const ev of events)
      if (ev.type === 'warning.issued' || ev.type === 'warning.updated') await this.arm(ev.data);
    const id =
      result.kind === 'issued' || result.kind === 'updated'
        ? result.warning.id
        : result.kind === 'duplicate'
          ? result.id
          : result.kind === 'cancelled'
            ? result.warnings[0].id
            : job.id;
    return { id, outcome: result.kind };
  }

  /** Reads the threads the message and its references name, then asks the pure book. */
  private async decide(a: CapAlert, now: number, by: string): Promise<BookOutcome> {
    const pairs = [{ sender: a.sender, identifier: a.identifier }, ...(a.references ?? [])];
    const ids = await this.repo.threadIds(pairs);
    const threads = await this.repo.get([...new Set(ids.filter((x): x is string => x !== null))]);
    const byPair = new Map<string, Warning>();
    pairs.forEach((p, i) => {
      const w = ids[i] === null ? undefined : threads.get(ids[i]!);
      if (w) byPair.set(aliasField(p.sender, p.identifier), w);
    });
    return applyCap(a, (s, i) => byPair.get(aliasField(s, i)), {
      now,
      defaultExpiryMs: this.opts.defaultExpiryMs,
      newId: warningId,
      by,
    });
  }

  private plan(a: CapAlert, o: BookOutcome, raw: StoredRaw, job: CapJob): CommitPlan | null {
    if (o.kind === 'duplicate' || o.kind === 'unknown_reference') return null;
    const alias = aliasField(a.sender, a.identifier);
    const base: CommitPlan = {
      idempotencyKey: `cap:${job.id}`,
      expect: [{ hash: 'warningAliases', id: alias, version: null }],
      put: [{ hash: 'warningRaw', id: job.id, value: raw }],
      events: [],
    };
    const actor = job.actor;
    const write = (w: Warning, prev: Warning | null, type: PendingEvent['type']) => {
      base.expect!.push({ hash: 'warnings', id: w.id, version: prev ? prev.version : null });
      base.put!.push({ hash: 'warnings', id: w.id, value: w });
      base.events.push({ type, actor, data: w } as PendingEvent);
    };
    // Ack/Error: the message is kept (raw), no warning changes, no event.
    if (o.kind === 'noted') return { ...base, result: job.id };
    if (o.kind === 'issued') {
      write(o.warning, null, o.warning.state === 'expired' ? 'warning.expired' : 'warning.issued');
      base.put!.push({ hash: 'warningAliases', id: alias, value: o.warning.id });
      return { ...base, result: o.warning.id };
    }
    const prevVersion = (w: Warning) => ({ ...w, version: w.version - 1 });
    if (o.kind === 'updated') {
      write(
        o.warning,
        prevVersion(o.warning),
        o.warning.state === 'expired' ? 'warning.expired' : 'warning.updated',
      );
      for (const s of o.superseded) write(s, prevVersion(s), 'warning.updated');
      base.put!.push({ hash: 'warningAliases', id: alias, value: o.warning.id });
      return { ...base, result: o.warning.id };
    }
    for (const w of o.warnings) write(w, prevVersion(w), 'warning.cancelled');
    base.put!.push({ hash: 'warningAliases', id: alias, value: o.warnings[0].id });
    return { ...base, result: o.warnings[0].id };
  }

  /** The expiry timer of an active warning at its `expires` (BullMQ keeps it across restarts). */
  private async arm(w: Warning): Promise<void> {
    if (w.state !== 'active') return;
    const delay = Math.max(0, Date.parse(w.expires) - this.clock().getTime());
    await this.queue.add('warning.expire', { id: w.id, expires: w.expires }, expiryJobId(w.id, w.expires), {
      delay,
    });
  }

  /** The expiry job: only if the warning is still active with that `expires` (an Update moved it). */
  async expire(p: { id: string; expires: string }): Promise<{ id: string; outcome: string }> {
    const { result } = await commitWithRetry(this.store, async (now) => {
      const w = (await this.repo.get([p.id])).get(p.id);
      if (!w || w.state !== 'active' || w.expires !== p.expires) return { plan: null, result: 'stale' };
      const next: Warning = { ...w, state: 'expired', updatedAt: now.toISOString(), version: w.version + 1 };
      return {
        plan: {
          expect: [{ hash: 'warnings', id: w.id, version: w.version }],
          put: [{ hash: 'warnings', id: w.id, value: next }],
          events: [{ type: 'warning.expired', data: next }],
        },
        result: 'expired',
      };
    });
    return { id: p.id, outcome: result };
  }

  /** `GET /api/v1/warnings`: what the consoles show. */
  async active(): Promise<Warning[]> {
    const now = this.clock().getTime();
    return (await this.repo.all())
      .filter((w) => isShownWarning(w, now))
      .sort((x, y) => capTimeMs(y.sent) - capTimeMs(x.sent));
  }

  /** The message in force of a warning, as CAP 1.2 (re-written from the raw message kept). */
  async capXml(id: string): Promise<string> {
    const w = (await this.repo.get([id])).get(id);
    if (!w) throw notFound(`warning ${id}`);
    const stored = await this.repo.raw(warningId(w.sender, w.identifier));
    if (!stored) throw notFound(`the message of warning ${id}`);
    const parsed = parseCap(Buffer.from(stored.raw, 'base64'));
    if (!parsed.ok) throw new Error(`stored CAP message of ${id} no longer parses`);
    return writeCap(parsed.alert);
  }

  incidentXml(incident: Incident): string {
    return writeCap(incidentCap(incident, { sender: this.opts.capSender }));
  }
}
