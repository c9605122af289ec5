/** Early warnings in the live state: the snapshot's, then issued/updated replace, cancelled/expired remove. */
import { describe, expect, it } from 'vitest';
import { applyBatch, fromSnapshot } from './apply-events.ts';
import { ev, snapshot, warning } from '../testing/fixtures.ts';

describe('warnings in the live state', () => {
  it('takes the active shown warnings from the snapshot', () => {
    const d = fromSnapshot(
      snapshot({
        warnings: [
          warning('w1'),
          warning('w2', { routing: 'drill', status: 'Exercise' }),
          // the server filters these out; the client does not trust an older one to
          warning('w3', { routing: 'stored', status: 'Test' }),
          warning('w4', { state: 'cancelled' }),
        ],
      }),
    );
    expect([...d.warnings.keys()]).toEqual(['w1', 'w2']);
  });

  it('an older snapshot without warnings is an empty set', () => {
    const s = snapshot();
    delete (s as Partial<typeof s>).warnings;
    expect(fromSnapshot(s).warnings.size).toBe(0);
  });

  it('issued adds, updated replaces (recolours), cancelled and expired remove', () => {
    const d = fromSnapshot(snapshot());
    let r = applyBatch(d, [ev(1, { type: 'warning.issued', data: warning('w1') })]);
    expect(r.changes.warnings).toBe(true);
    expect(d.warnings.get('w1')?.colour).toBe('yellow');
    r = applyBatch(d, [
      ev(2, {
        type: 'warning.updated',
        data: warning('w1', { colour: 'red', capSeverity: 'Extreme', headline: '升级为红色', version: 2 }),
      }),
    ]);
    expect(r.changes.warnings).toBe(true);
    expect(d.warnings.get('w1')).toMatchObject({ colour: 'red', headline: '升级为红色' });
    applyBatch(d, [ev(3, { type: 'warning.issued', data: warning('w2') })]);
    r = applyBatch(d, [
      ev(4, { type: 'warning.cancelled', data: warning('w1', { state: 'cancelled', version: 3 }) }),
    ]);
    expect(r.changes.warnings).toBe(true);
    expect([...d.warnings.keys()]).toEqual(['w2']);
    r = applyBatch(d, [
      ev(5, { type: 'warning.expired', data: warning('w2', { state: 'expired', version: 2 }) }),
    ]);
    expect(r.changes.warnings).toBe(true);
    expect(d.warnings.size).toBe(0);
    // removing what is not there changes nothing
    r = applyBatch(d, [ev(6, { type: 'warning.expired', data: warning('w9', { state: 'expired' }) })]);
    expect(r.changes.warnings).toBe(false);
  });

  it('an update that ends a thread (superseded) or a stored message removes or never shows it', () => {
    const d = fromSnapshot(snapshot({ warnings: [warning('w1')] }));
    applyBatch(d, [
      ev(1, {
        type: 'warning.updated',
        data: warning('w1', { state: 'superseded', supersededBy: 'w2', version: 2 }),
      }),
      ev(2, { type: 'warning.issued', data: warning('w3', { routing: 'stored', status: 'System' }) }),
    ]);
    expect(d.warnings.size).toBe(0);
  });

  it('an older version does not overwrite a newer one', () => {
    const d = fromSnapshot(snapshot({ warnings: [warning('w1', { colour: 'red', version: 3 })] }));
    const r = applyBatch(d, [
      ev(1, { type: 'warning.updated', data: warning('w1', { colour: 'blue', version: 2 }) }),
    ]);
    expect(r.changes.warnings).toBe(false);
    expect(d.warnings.get('w1')?.colour).toBe('red');
  });
});
