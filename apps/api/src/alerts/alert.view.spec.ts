import { AlertEntity } from './alert.entity';
import { toAlertView } from './alert.view';

describe('toAlertView', () => {
  it('keeps the wire shape: snake_case fields in column order, then acknowledged', () => {
    const at = new Date('2026-11-21T22:00:00.000Z');
    const alert = Object.assign(new AlertEntity(), {
      id: '00000000-0000-4000-8000-000000000001',
      fingerprint: 'f',
      title: 't',
      severity: 'info',
      status: 'firing',
      source: null,
      description: null,
      labels: { a: '1' },
      annotations: {},
      occurrences: 1,
      startsAt: at,
      resolvedAt: null,
      acknowledgedAt: at,
      acknowledgedBy: 'alice',
      acknowledgementNote: 'on it',
      createdAt: at,
      updatedAt: at,
    });
    const view = toAlertView(alert);
    expect(Object.keys(view)).toEqual([
      'id',
      'fingerprint',
      'title',
      'severity',
      'status',
      'source',
      'description',
      'labels',
      'annotations',
      'occurrences',
      'starts_at',
      'resolved_at',
      'acknowledged_at',
      'acknowledged_by',
      'acknowledgement_note',
      'created_at',
      'updated_at',
      'acknowledged',
    ]);
    expect(view).toMatchObject({ acknowledged: true, acknowledged_by: 'alice', acknowledgement_note: 'on it', starts_at: at });
    expect(toAlertView(Object.assign(alert, { acknowledgedAt: null })).acknowledged).toBe(false);
  });
});
