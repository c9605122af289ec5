import { z } from 'zod';
import { IsoTime } from './common.ts';
import { Incident, IncidentHistoryEntry } from './incident.ts';
import { LiveEvent, Snapshot } from './protocol.ts';

/** The longest window one request replays: an operation or a day fits many times over. */
export const REPLAY_MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Events per answer; beyond it the answer is `truncated` and `nextFrom` continues it. */
export const REPLAY_MAX_EVENTS = 20_000;

/**
 * `GET /api/v1/replay?from=&to=`: ISO times with an offset (a bare local time would mean a
 * different moment on every machine), `from` before `to`, at most REPLAY_MAX_WINDOW_MS apart.
 */
export const ReplayQuery = z
  .object({
    from: z.iso.datetime({
      offset: true,
      error: 'from must be an ISO time with an offset, as 2026-12-01T09:00:00+08:00',
    }),
    to: z.iso.datetime({
      offset: true,
      error: 'to must be an ISO time with an offset, as 2026-12-01T18:00:00+08:00',
    }),
  })
  .superRefine((q, ctx) => {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    // zod runs this even when a field failed; a bad field is reported once, by its own check.
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    if (!(from < to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    else if (to - from > REPLAY_MAX_WINDOW_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the window from from to to must not exceed ${REPLAY_MAX_WINDOW_MS / 86_400_000} days`,
      });
  });
export type ReplayQuery = z.infer<typeof ReplayQuery>;

export const Replay = z.object({
  /** `from`, normalised: the moment `state` shows. */
  at: IsoTime,
  /** As `GET /api/v1/snapshot` was at `at`: every event with `at ≤ from` applied (`seq` the last). */
  state: Snapshot,
  /** The events after `state.seq` up to `to`, in seq order. */
  events: z.array(LiveEvent),
  /** Beyond the contract: more events than one answer holds lie before `to`. */
  truncated: z.boolean(),
  /** When truncated: ask again with this as `from` (its state is the last event returned). */
  nextFrom: IsoTime.optional(),
  /**
   * Beyond the contract: what the log cannot tell. Resources seeded without an event are shown as
   * the seed left them (available, at home); the mode before any `mode.changed` is the seed's.
   */
  assumed: z.object({
    resourceIds: z.array(z.string()),
    mode: z.boolean(),
  }),
});
/** With `events` typed by their `type`, as the live feed's. */
export type Replay = Omit<z.infer<typeof Replay>, 'events'> & { events: LiveEvent[] };

/**
 * The replay's answer as the record may hold it, and so the schema `GET /api/v1/replay` answers
 * with: its state can be rebuilt from v1 events, whose incidents carry `history` and no
 * `lastAction` (the console's timeline converts them).
 */
export const ReplayAnswer = Replay.extend({
  state: Snapshot.extend({
    incidents: z.array(
      Incident.extend({
        lastAction: IncidentHistoryEntry.optional(),
        history: z.array(IncidentHistoryEntry).optional(),
      }),
    ),
  }),
});
