import type { Camera } from '../../shared/camera.ts';
import type { GridCollection } from '../../shared/grid.ts';
import type { AppConfig } from '../../shared/http.ts';
import type { IncidentRecord } from '../../shared/incident.ts';
import type { Plan } from '../../shared/plan.ts';
import { PROTOCOL_VERSION, type LiveEvent, type Snapshot } from '../../shared/protocol.ts';
import type { RecordService } from '../history/record.service.ts';
import { notFound } from '../infra/domain-errors.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';

export type SnapshotServiceOptions = {
  /** What the console needs before it logs in (plain config values, not the config). */
  mapStyleUrl: string | null;
  /** Where the console loads the district's PMTiles basemap; null: none. */
  basemapUrl: string | null;
  demo: boolean;
  grids: GridCollection;
  cameras: Camera[];
  plans: Plan[];
};

/**
 * What a console loads before it follows the feed: the working set as of a seq, the latest events
 * up to it, the district's static data, and any incident ever created. The routes of the state
 * read it; it reads the hot state, the log and the record.
 */
export class SnapshotService {
  constructor(
    private readonly state: StateRepository,
    private readonly store: EventStore,
    private readonly records: RecordService,
    private readonly o: SnapshotServiceOptions,
  ) {}

  appConfig(): AppConfig {
    return {
      mapStyleUrl: this.o.mapStyleUrl,
      basemapUrl: this.o.basemapUrl,
      demo: this.o.demo,
      protocol: PROTOCOL_VERSION,
    };
  }

  async snapshot(): Promise<Snapshot> {
    return { ...(await this.state.snapshot()), plans: this.o.plans };
  }

  /** Up to `limit` events with seq ≤ `upTo` (all the newest without it), newest first. */
  async recentEvents(upTo: number | undefined, limit: number): Promise<LiveEvent[]> {
    return this.store.readBackwards(upTo === undefined ? null : upTo + 1, limit);
  }

  grids(): GridCollection {
    return this.o.grids;
  }

  plans(): Plan[] {
    return this.o.plans;
  }

  /** The working set in Redis, else the record in the database; a merged report id gives its incident. */
  async incident(id: string): Promise<IncidentRecord> {
    const inc = await this.records.incident(id);
    if (!inc) throw notFound(`incident ${id}`);
    return inc;
  }
}
