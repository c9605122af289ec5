/**
 * Migration 0002 on a database that already holds events (a data dir from before it, some of
 * them written before protocol v2): the new read models are filled from them, to the rows a
 * rebuild gives.
 */
import { Migrator, type Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { migrate, openHistory, type History } from './db.ts';
import { HistoryRepository } from './history.repository.ts';
import * as m0001 from './migrations/0001_events.ts';
import { pgJson } from './pg-text.ts';
import { READ_MODEL_TABLES } from './read-models.ts';
import { rebuildReadModels } from './rebuild.ts';

const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 8, m)).toISOString();
const incident = (extra: Record<string, unknown>) => ({
  id: 'INC-old',
  source: 'hotline-12345',
  kind: 'case',
  category: 'other',
  title: '旧事件',
  location: { lng: 116.3, lat: 39.9 },
  locationLabel: '海淀区',
  streetId: null,
  communityId: null,
  outsideDistrict: false,
  severity: 4,
  status: 'accepted',
  reportedAt: at(0),
  createdAt: at(0),
  updatedAt: at(0),
  reportCount: 1,
  mergedIds: [],
  videoAlertIds: [],
  operationIds: [],
  version: 1,
  ...extra,
});
const h1 = { at: at(0), action: 'accepted', actor: 'intake' };
const h2 = { at: at(1), action: 'merged', actor: 'intake', note: 'INC-m1 · hotline' };
const h3 = { at: at(2), action: 'merged', actor: 'intake', note: 'INC-m2 · hotline' };
/** v1 events (whole history), then v2 ones made from the v1 entity (stale `history` spread in). */
const EVENTS = [
  { type: 'incident.created', at: at(0), actor: 'intake', data: incident({ history: [h1] }) },
  {
    type: 'incident.updated',
    at: at(1),
    data: incident({ mergedIds: ['INC-m1'], history: [h1, h2], version: 2, updatedAt: at(1) }),
  },
  {
    type: 'incident.updated',
    at: at(2),
    data: incident({ mergedIds: ['INC-m1', 'INC-m2'], history: [h1, h2, h3], version: 3, updatedAt: at(2) }),
  },
  {
    type: 'report.created',
    at: at(3),
    actor: 'liaison',
    data: { id: 'RPT-1', incidentId: 'INC-old', text: '现场', actor: 'liaison', at: at(3) },
  },
  {
    type: 'incident.updated',
    at: at(3),
    actor: 'liaison',
    data: incident({
      mergedIds: ['INC-m1', 'INC-m2'],
      history: [h1, h2, h3],
      lastAction: { at: at(3), action: 'field_report', actor: 'liaison', note: '现场', ref: 'RPT-1' },
      version: 4,
      updatedAt: at(3),
    }),
  },
  {
    type: 'incident.updated',
    at: at(4),
    data: incident({
      mergedIds: ['INC-m1', 'INC-m2', 'INC-m3'],
      history: [h1, h2, h3],
      lastAction: { at: at(4), action: 'merged', actor: 'intake', ref: 'INC-m3' },
      version: 5,
      updatedAt: at(4),
    }),
  },
  {
    type: 'video_alert.created',
    at: at(5),
    actor: 'video',
    data: {
      id: 'VA-1',
      cameraId: 'CAM-1',
      cameraName: '路口',
      type: 'smoke',
      confidence: 0.8,
      location: { lng: 116.3, lat: 39.9 },
      locationLabel: '海淀区',
      streetId: null,
      communityId: null,
      observedAt: at(5),
      createdAt: at(5),
      updatedAt: at(5),
      status: 'new',
      incidentId: null,
      version: 1,
    },
  },
  {
    type: 'resource.updated',
    at: at(6),
    actor: 'duty',
    data: { id: 'RES-1', status: 'out_of_service', updatedAt: at(6), operationId: null, incidentId: null },
  },
].map((e, i) => ({ seq: i + 1, ...e }));

describe('migration 0002 on a database with events', () => {
  let pgs: TestPostgres;
  let h: History;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    h = openHistory(pgs.url);
    const only0001 = new Migrator({
      db: h.db,
      provider: { getMigrations: async () => ({ '0001_events': m0001 as Migration }) },
    });
    const { error } = await only0001.migrateToLatest();
    if (error) throw error;
    await h.db
      .insertInto('events')
      .values(
        EVENTS.map((e) => ({
          seq: e.seq,
          type: e.type,
          at: e.at,
          actor: e.actor ?? null,
          data: pgJson(e.data),
        })),
      )
      .execute();
    await h.db.insertInto('projection').values({ name: 'main', seq: EVENTS.length }).execute();
  });
  afterAll(async () => {
    await h?.close();
    await pgs?.stop();
  });

  it('fills the new read models from the events, as a rebuild would', async () => {
    // 0003 and 0004 after it: the KPI facts filled from the `cases` rows 0002 wrote (the same as a
    // rebuild); kpi_reports, empty (no report before protocol v3).
    expect(await migrate(h.db)).toEqual([
      '0002_records',
      '0003_case_facts',
      '0004_kpi_reports',
      '0005_warnings',
      '0006_footage',
    ]);
    const dump = async () => {
      const out: Record<string, unknown[]> = {};
      for (const t of READ_MODEL_TABLES)
        out[t] = (await h.pool.query(`select * from ${t} order by 1, 2`)).rows;
      return out;
    };
    const migrated = await dump();
    const repo = new HistoryRepository(h.db);
    expect(await repo.caseHistory('INC-old')).toEqual([
      h1,
      h2,
      h3,
      { at: at(3), action: 'field_report', actor: 'liaison', note: '现场', ref: 'RPT-1' },
      { at: at(4), action: 'merged', actor: 'intake', ref: 'INC-m3' },
    ]);
    expect(await repo.mergedIds('INC-old')).toEqual(['INC-m1', 'INC-m2', 'INC-m3']);
    expect(await repo.resolveAlias('INC-m2')).toBe('INC-old');
    expect(await repo.listReports('INC-old')).toHaveLength(1);
    expect(await repo.getVideoAlert('VA-1')).toMatchObject({ status: 'new' });
    expect(migrated.resource_status).toHaveLength(1);
    expect(migrated.case_facts).toMatchObject([{ id: 'INC-old', status: 'accepted', ever_handled: false }]);
    expect((await repo.caseRecord('INC-old')).projectedSeq).toBe(EVENTS.length);

    await rebuildReadModels(h.db);
    expect(await dump()).toEqual(migrated);
  });
});
